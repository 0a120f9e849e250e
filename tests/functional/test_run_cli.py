"""`nanwiz run` as a user meets it: bad input gives a clear message (the program's own status or
frames where they matter) and exit 2, never a nanwiz traceback; a healthy program exits 1; a
failing one 0 with its report, JSON and session; the program's own output and arguments reach it;
an interrupted run stops the program and saves the session.

main() runs in-process so that every test shares one probe fork server (torch imported once)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nanwiz.cli import main, split_run, build_parser

TRAIN = """
import argparse
import torch
from torch import nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--steps", type=int, default=30)
args = parser.parse_args()

torch.manual_seed(0)
x = torch.randn(256, 8)
y = x.sum(1, keepdim=True)
x[200] = float("nan")
model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=args.lr)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16, shuffle=False)
step = 0
while step < args.steps:
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        print(f"step {step} loss {loss.item():.4f}")
        step += 1
        if step >= args.steps:
            break
"""


def diagnosed(capsys, tmp_path: Path) -> dict:
    """`nanwiz run --json` on tmp_path/train.py, which must fail: its JSON diagnosis."""
    out_json = tmp_path / "d.json"
    code, _out, err = run(capsys, "--json", str(out_json), "train.py")
    assert code == 0, err
    return json.loads(out_json.read_text())


def verified(capsys, tmp_path: Path) -> dict:
    """`nanwiz run --json` on tmp_path/train.py with its fixes verified (re-runs): the diagnosis."""
    out_json = tmp_path / "d.json"
    code = main(["run", "--quiet", "--json", str(out_json), "train.py"])
    capsys.readouterr()
    assert code == 0
    return json.loads(out_json.read_text())


def write(tmp_path: Path, text: str, name: str = "train.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["run", "--quiet", "--no-verify", "--reruns", "0", *args])
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())  # rich wraps the error panel: compare on words


def test_options_before_the_script_are_nanwiz_s_and_after_it_the_program_s():
    parser = build_parser()
    ours, program = split_run(parser, ["run", "--report", "r.md", "--max-steps", "5", "train.py", "--lr", "3",
                                       "--report", "x"])
    assert ours == ["run", "--report", "r.md", "--max-steps", "5"]
    assert program == ["train.py", "--lr", "3", "--report", "x"]
    ours, program = split_run(parser, ["run", "--quiet", "-m", "pkg.train", "--epochs", "2"])
    assert ours == ["run", "--quiet", "-m", "pkg.train"] and program == ["--epochs", "2"]


BAD = {
    "no such file": (None, ["missing.py: no such file"]),
    "not python": ("this is not python {\n", ["is not a Python program nanwiz can run", "syntax error"]),
    "binary": (b"\x7fELF\x00\x00\x01", ["is not a Python program"]),
    "fails before training": ("import torch\nopen('/nonexistent/data.csv')\n",
                              ["raised FileNotFoundError before training started", "train.py\", line 2"]),
    "exits on its own": ("import sys\nprint('bad config', file=sys.stderr)\nsys.exit(3)\n",
                         ["exited with status 3 before training started"]),
    # its own bug, not a NaN: the -inf mask it passes is written on purpose
    "a shape error beside a -inf mask": ("import torch\nimport torch.nn.functional as F\n"
                                         "model = torch.nn.Linear(16, 16)\n"
                                         "mask = torch.zeros(4, 5).masked_fill(torch.ones(4, 5).triu(1).bool(), "
                                         "float('-inf'))\n"
                                         "q = model(torch.randn(2, 4, 16))\n"
                                         "F.scaled_dot_product_attention(q, q, q, attn_mask=mask).sum().backward()\n",
                                         ["raised RuntimeError before training started"]),
    "never trains": ("import torch\nprint(torch.ones(2).sum())\n", ["ended without training", "no backward() call"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_programs_give_a_clear_message_and_exit_2(tmp_path, capsys, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    text, expected = BAD[case]
    if text is not None:
        path = tmp_path / "train.py"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, _out, err = run(capsys, "missing.py" if text is None else "train.py")
    assert code == 2, err
    for part in expected:
        assert part in err, (part, err)
    assert "Traceback (most recent call last)" not in err  # never a nanwiz traceback


def test_arguments_the_program_rejects_are_its_own_message(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TRAIN)
    code, out, err = run(capsys, "train.py", "--epochs", "3")
    assert code == 2
    assert "exited with status 2 before training started" in err


def test_a_failing_program_is_diagnosed_with_its_own_arguments_and_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TRAIN)
    report, data, session = tmp_path / "r.md", tmp_path / "d.json", tmp_path / "s.json"
    code = main(["run", "--no-verify", "--reruns", "0", "--report", str(report), "--json", str(data),
                 "--save", str(session), "train.py", "--steps", "20", "--lr", "0.001"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "step 0 loss" in err  # the program's own prints reach the terminal
    diagnosis = json.loads(data.read_text())
    assert diagnosis["top_cause"] == "data.nonfinite_input"
    assert diagnosis["first_nonfinite"]["step"] == 12  # sample 200 is in the 13th batch of 16
    assert 200 in diagnosis["bad_samples"]["indices"]
    assert diagnosis["reproduce"].endswith("nanwiz run train.py --steps 20 --lr 0.001")
    assert "nanwiz diagnosis" in report.read_text()
    saved = json.loads(session.read_text())
    assert saved["program"]["args"] == ["--steps", "20", "--lr", "0.001"]


def test_a_healthy_program_exits_1_and_names_no_failure(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TRAIN.replace('x[200] = float("nan")', ""))
    data = tmp_path / "d.json"
    code = main(["run", "--quiet", "--json", str(data), "train.py", "--steps", "10"])
    capsys.readouterr()
    assert code == 1
    diagnosis = json.loads(data.read_text())
    assert diagnosis["reproduced"] is False and diagnosis["first_nonfinite"] is None


def test_max_steps_stops_the_program(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TRAIN.replace('x[200] = float("nan")', ""))
    session = tmp_path / "s.json"
    code = main(["run", "--quiet", "--max-steps", "4", "--save", str(session), "train.py", "--steps", "1000"])
    capsys.readouterr()
    assert code == 1
    baseline = json.loads(session.read_text())["probes"]["baseline"]
    assert baseline["details"]["steps_run"] == 4
    assert baseline["details"]["program_stopped_by"] == "max_steps"


def test_a_module_runs_as_python_m_would_run_it(tmp_path, capsys, monkeypatch):
    package = tmp_path / "trainer"
    package.mkdir()
    (package / "__init__.py").write_text("")
    write(package, TRAIN, name="__main__.py")
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "d.json"
    code = main(["run", "--quiet", "--no-verify", "--reruns", "0", "--json", str(data), "-m", "trainer",
                 "--steps", "20"])
    capsys.readouterr()
    assert code == 0
    diagnosis = json.loads(data.read_text())
    assert diagnosis["top_cause"] == "data.nonfinite_input"
    assert diagnosis["reproduce"].endswith("nanwiz run -m trainer --steps 20")


def test_a_missing_module_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "-m", "no_such_module_anywhere")
    assert code == 2 and "no module named 'no_such_module_anywhere'" in err


def test_a_program_that_hangs_is_stopped_at_the_timeout(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TRAIN.replace("print(f\"step", "import time; time.sleep(60) if step == 3 else None\n"
                                                    "        print(f\"step"))
    session = tmp_path / "s.json"
    began = time.monotonic()
    code = main(["run", "--quiet", "--timeout", "6", "--save", str(session), "train.py"])
    capsys.readouterr()
    assert time.monotonic() - began < 40
    record = json.loads(session.read_text())["probes"]["baseline"]
    assert record["status"] == "timeout" and "timed out after 6 s" in record["reason"]
    assert code == 1


def test_sigterm_stops_the_program_and_saves_the_session(tmp_path):
    program = write(tmp_path, TRAIN.replace('x[200] = float("nan")', "").replace(
        "print(f\"step", "import time; time.sleep(0.2)\n        print(f\"step"))
    session = tmp_path / "s.json"
    proc = subprocess.Popen([sys.executable, "-m", "nanwiz", "run", "--quiet", "--save", str(session), str(program),
                             "--steps", "10000"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    lines = []
    for raw in proc.stdout:  # wait until the program trains
        lines.append(raw)
        if b"step 2 loss" in raw or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 130
    saved = json.loads(session.read_text())
    assert saved["probes"]["baseline"]["status"] == "cancelled"
    time.sleep(0.5)
    leftover = subprocess.run(["pgrep", "-f", str(program)], capture_output=True, text=True).stdout.split()
    assert not [pid for pid in leftover if int(pid) != os.getpid()]


GUARDED = """
import sys
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(512, 8)
y = (x[:, 0] > 0).float()
x[300, 2] = float("nan")
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for i in range(0, 512, 32):
        loss = F.binary_cross_entropy_with_logits(model(x[i:i + 32]).squeeze(1), y[i:i + 32])
        if not CHECK:
            print("skipping batch", i // 32)
            ACTION
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


@pytest.mark.parametrize("check, action", [("torch.isfinite(loss)", "continue"), ("torch.isfinite(loss)", "break"),
                                           ("loss.item() == loss.item()", "sys.exit(1)"),
                                           ("torch.isfinite(loss)", "raise ValueError('loss is not finite')")])
def test_a_loop_that_guards_its_loss_is_caught_where_it_reads_it(tmp_path, capsys, monkeypatch, check, action):
    # the non-finite loss never reaches backward: the watch learns of it where the program reads it
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GUARDED.replace("CHECK", check).replace("ACTION", action))
    data = tmp_path / "d.json"
    code, out, err = run(capsys, "--json", str(data), "train.py")
    assert code == 0
    diagnosis = json.loads(data.read_text())
    assert diagnosis["top_cause"] == "data.nonfinite_input"
    assert diagnosis["first_nonfinite"]["step"] == 9 and diagnosis["first_nonfinite"]["phase"] == "input"
    assert diagnosis["bad_samples"]["indices"] == [300]


def test_a_healthy_loop_that_checks_its_loss_stays_healthy(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GUARDED.replace('x[300, 2] = float("nan")', "").replace("CHECK", "torch.isfinite(loss)")
          .replace("ACTION", "continue"))
    code, out, err = run(capsys, "train.py")
    assert code == 1


def test_a_logged_minimum_of_masked_logits_is_not_a_failure(tmp_path, capsys, monkeypatch):
    """A policy masks unavailable actions with -inf before a Categorical (healthy) and logs the
    smallest logit, which is -inf on every line: a read of a non-finite scalar of the training graph
    had been taken for a loss the program checked, and the run diagnosed. The extreme of a tensor is
    a statistic the program logs, never its loss."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn
        from torch.distributions import Categorical

        torch.manual_seed(0)
        state = torch.randn(512, 8)
        available = torch.rand(512, 5) < 0.5
        available[:, 0] = True
        payoff = torch.where(available, state[:, :5], torch.zeros(512, 5))
        actor = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 5))
        opt = torch.optim.Adam(actor.parameters(), lr=1e-2)
        for i in range(0, 512, 64):
            logits = actor(state[i:i + 64]).masked_fill(~available[i:i + 64], float("-inf"))
            dist = Categorical(logits=logits)
            action = dist.sample()
            reward = payoff[i:i + 64].gather(1, action[:, None]).squeeze(1)
            loss = -(dist.log_prob(action) * reward).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            print(loss.item(), dist.logits.min().item())
    """)
    code, out, err = run(capsys, "train.py")
    assert code == 1, err  # healthy: no failure named


def test_a_gradscaler_that_skips_until_its_scale_is_below_1_is_a_failure(tmp_path, capsys, monkeypatch):
    """fp16 softmax then log: probabilities of unlikely classes round to 0, the loss (nll of the
    target column) stays finite, the log's backward makes NaN, and the GradScaler skips every step
    from there, halving its scale toward 0. Skips are the scaler's business, so the run had no
    failure until the weights broke hundreds of steps later (if ever). A scale below 1 means the
    gradients are not finite even unscaled: that step fails, and its replay finds the log."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        torch.manual_seed(0)
        centers = torch.randn(6, 10) * 4
        y = torch.arange(6).repeat_interleave(100)
        x = centers[y] + 0.5 * torch.randn(600, 10)
        model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 6))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        scaler = torch.amp.GradScaler("cpu")
        for epoch in range(5):
            perm = torch.randperm(600)
            for i in range(0, 600, 50):
                idx = perm[i:i + 50]
                with torch.autocast("cpu", dtype=torch.float16):
                    probs = F.softmax(model(x[idx]), dim=-1)
                    loss = F.nll_loss(torch.log(probs), y[idx])
                opt.zero_grad()
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
            print(epoch, loss.item(), scaler.get_scale())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["failure"] == "grad" and first["reproduced"], first
    assert first["op"] == "LogBackward0" and first["source"]["line"] == 19, first
    assert d["top_cause"] in ("amp.fp16_underflow_log", "num.log_zero"), [c["id"] for c in d["causes"][:3]]


def test_the_inputs_of_batches_the_loop_builds_itself_are_measured(tmp_path, capsys, monkeypatch):
    """No DataLoader and no tensor sliced by hand: each batch is drawn inside the loop. There was
    no data to scan, so nothing said the inputs were of unit scale, and 'inputs not normalized'
    kept the weight of a learning-rate failure. What the model read in the failing step is measured."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
        opt = torch.optim.SGD(model.parameters(), lr=3.0)
        for step in range(40):
            x = torch.randn(64, 8)
            y = x.sum(1, keepdim=True)
            loss = ((model(x) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    assert 0.5 < d["evidence"]["data.input_scale"] < 1.5, d["evidence"]
    assert d["top_cause"] != "data.unnormalized_input", [c["id"] for c in d["causes"][:3]]


def test_an_optimizer_stepped_again_after_its_gradscaler_step_is_seen(tmp_path, capsys, monkeypatch):
    """`scaler.step(opt)` then `opt.step()`: a second update from the same gradients, which applies
    the Inf gradients the scaler skipped on its first calibration step. The watch sees an optimizer
    it had seen stepped through the scaler stepped directly."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        x = torch.randn(512, 16) * 4
        y = x[:, :4].sum(1, keepdim=True) * 50
        model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        scaler = torch.amp.GradScaler("cpu")
        for step in range(30):
            idx = torch.randint(0, 512, (64,))
            with torch.autocast("cpu", dtype=torch.float16):
                loss = ((model(x[idx]) - y[idx]) ** 2).mean()
            opt.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    assert d["evidence"]["loop.step_outside_scaler"] is True
    # (learning rate 0 fails as well: the Inf gradients the scaler skipped make 0 * Inf = NaN)
    assert d["top_cause"] == "optim.accumulation_or_scaling_misuse", [c["id"] for c in d["causes"][:3]]


def test_an_rms_norm_written_by_hand_without_eps_is_the_normalization_cause(tmp_path, capsys, monkeypatch):
    """x * rsqrt(mean(x**2)) on the zero vectors of padding: the mean of squares is a second moment
    (the variance of an RMSNorm), not a norm, so the 1/0 is the normalization's missing eps rather
    than a plain division by zero (the issue's "wherever the division happens")."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        class ScaleNorm(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(dim))

            def forward(self, x):
                return self.scale * x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True))

        torch.manual_seed(0)
        tokens = torch.randint(1, 50, (256, 12))
        tokens[:, 9:] = 0
        labels = (tokens[:, 0] > 25).long()
        embed = nn.Embedding(50, 16, padding_idx=0)
        model = nn.Sequential(ScaleNorm(16), nn.Flatten(), nn.Linear(16 * 12, 2))
        opt = torch.optim.Adam(list(embed.parameters()) + list(model.parameters()), lr=1e-3)
        for i in range(0, 256, 32):
            loss = nn.functional.cross_entropy(model(embed(tokens[i:i + 32])), labels[i:i + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["op"] == "rsqrt" and first["operand_origin"] == "variance", first
    assert d["top_cause"] == "arch.norm_zero_variance", [c["id"] for c in d["causes"][:3]]


def test_a_statistic_the_loop_carries_across_steps_is_replayed_as_it_was(tmp_path, capsys, monkeypatch):
    """A running statistic updated every step outside autograd (an EMA of the batch variance, as
    running observation normalizers keep): the failing step's value came through every earlier
    step, long dropped from the tape, so the replay could not run the sqrt and named no op. A value
    carried over from an earlier step that needs no gradient is now kept as it was (as a detached
    hidden state is), and the sqrt of the negative is found on its line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        spread = torch.tensor(1.0)
        for step in range(30):
            x = torch.randn(32, 4) * (1.0 - step / 30)
            spread = 0.8 * spread + 0.2 * x.var()
            width = torch.sqrt(spread - 0.25)
            loss = ((model(x / width) - x[:, :1]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["step"] == 20 and first["op"] == "sqrt" and first["operand_negative"], first
    assert first["source"]["line"] == 12, first
    assert d["top_cause"] == "num.sqrt_negative", [c["id"] for c in d["causes"][:3]]


def test_a_program_that_crashes_after_training_started_is_its_own_failure(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, TRAIN.replace('x[200] = float("nan")', "").replace(
        "        step += 1\n", "        step += 1\n        if step == 3:\n"
        "            raise OSError('No space left on device')\n"))
    session = tmp_path / "s.json"
    code, out, err = run(capsys, "--save", str(session), "train.py")
    assert code == 2
    assert "raised OSError after 3 training steps, outside a training step; no NaN/Inf" in err
    assert "No space left on device" in err
    assert json.loads(session.read_text())["probes"]["baseline"]["status"] == "script_error"


def test_an_optimizer_stepped_on_scaled_gradients_is_seen_in_the_loop(tmp_path, capsys, monkeypatch):
    # scaler.scale(loss).backward() then optimizer.step(): updates 65536 times too large
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn
        import torch.nn.functional as F

        torch.manual_seed(0)
        x, y = torch.randn(512, 10), torch.randint(0, 3, (512,))
        model = nn.Sequential(nn.Linear(10, 32), nn.GELU(), nn.Linear(32, 3))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        scaler = torch.amp.GradScaler("cpu")
        for epoch in range(3):
            for i in range(0, 512, 32):
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    loss = F.cross_entropy(model(x[i:i + 32]), y[i:i + 32])
                opt.zero_grad()
                scaler.scale(loss).backward()
                opt.step()
    """)
    session = tmp_path / "s.json"
    code, out, err = run(capsys, "--save", str(session), "train.py")
    assert code == 0
    facts = json.loads(session.read_text())["probes"]["baseline"]["facts"]
    assert facts["loop.scaled_step"] is True and facts["loop.clip_before_unscale"] is False


def test_nan_labels_from_a_stream_are_told_from_nan_inputs(tmp_path, capsys, monkeypatch):
    # an IterableDataset has no dataset to scan: the failing batch's own rows say where the NaN sits
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, IterableDataset

        class Impressions(IterableDataset):
            def __iter__(self):
                g = torch.Generator().manual_seed(1)
                for i in range(4000):
                    x = torch.randn(6, generator=g)
                    shown = float(torch.randint(0, 400, (1,), generator=g))
                    clicks = float(torch.randint(0, 3, (1,), generator=g)) if shown else 0.0
                    yield x, torch.tensor(clicks / shown if shown else float("nan"))

        model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for x, y in DataLoader(Impressions(), batch_size=32):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x).squeeze(1), y)
            loss.backward()
            opt.step()
    """)
    data = tmp_path / "d.json"
    code, out, err = run(capsys, "--json", str(data), "train.py")
    assert code == 0
    assert json.loads(data.read_text())["top_cause"] == "data.bad_label"


def test_a_program_that_crashes_on_a_nan_in_its_first_step_is_diagnosed(tmp_path, capsys, monkeypatch):
    """binary_cross_entropy refuses NaN probabilities (a device-side assert on CUDA): the program dies in
    its first forward, before any backward. That crash is how it met the NaN, not a bug of its own
    before training: the step is replayed and the NaN's maker named, with the crash after it."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn
        import torch.nn.functional as F

        class Scale(nn.Module):
            def forward(self, x):
                return (x - x.mean(-1, keepdim=True)) / x.std(-1, keepdim=True)

        torch.manual_seed(0)
        x, y = torch.randn(256, 8), torch.randint(0, 2, (256, 1)).float()
        x[:, :] = x[:, :1]  # every feature equal: a zero std per row
        model = nn.Sequential(Scale(), nn.Linear(8, 1), nn.Sigmoid())
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for i in range(0, 256, 32):
            loss = F.binary_cross_entropy(model(x[i:i + 32]), y[i:i + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["step"] == 0 and first["op"] == "div" and first["source"]["line"] == 8, first
    assert first["raised_op"] == "binary_cross_entropy"
    assert d["top_cause"] == "arch.norm_zero_variance", [c["id"] for c in d["causes"][:3]]


def test_an_lbfgs_closure_on_a_bare_tensor_is_caught_at_the_call_that_made_the_nan(tmp_path, capsys, monkeypatch):
    """LBFGS calls its closure many times per step and goes on from NaN gradients, its line search
    leaving the weights where they were: the run stays finite and silent. The call that made the
    NaN gradient is the failure, and its replay trains the live tensor (made by torch.zeros, held by
    no module), not a copy."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn.functional as F

        torch.manual_seed(0)
        a = F.normalize(torch.randn(64, 3), dim=1)
        a[:4] = torch.tensor([0.0, 0.0, 1.0])
        b = a.clone()
        b[4:] = F.normalize(b[4:] + 0.05 * torch.randn(60, 3), dim=1)
        shift = torch.zeros(3, requires_grad=True)
        opt = torch.optim.LBFGS([shift], lr=1.0, max_iter=10, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            cos = F.cosine_similarity(a + shift, b, dim=1).clamp(-1.0, 1.0)
            loss = torch.acos(cos).mean()
            loss.backward()
            return loss

        for it in range(5):
            loss = opt.step(closure)
            print(it, loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["step"] == 0 and first["op"] == "AcosBackward0" and first["source"]["line"] == 16, first
    assert first["params_nonfinite_grad"] == ["LBFGS param 0 [3]"]
    assert d["top_cause"] == "num.domain_edge_grad", [c["id"] for c in d["causes"][:3]]


def test_an_update_that_breaks_the_weights_is_replayed_and_re_runs_survive_a_parallel_parent(
        tmp_path, capsys, monkeypatch):
    """A half-precision model trained with Adam's default eps (1e-8 is 0 in fp16): the loss and the
    gradients of step 0 are finite, the update makes the weights NaN. The state before an
    optimizer's first update is kept, so that update is replayed (it was "not captured"). The data
    is built with ops large enough to run in OpenMP's thread team: a re-run forked from the probe
    process (lr 0 here) then waited forever on that team unless it runs single-threaded."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn.functional as F

        torch.manual_seed(0)
        table = torch.randn(200_000, 16)
        table = (table - table.mean(0)) / table.std(0)
        x, y = table[:512, :12].clone(), (table[:512, 12] > 0).long()
        model = torch.nn.Sequential(torch.nn.Linear(12, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2)).half()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for step in range(20):
            xb, yb = x[step * 16:(step + 1) * 16].half(), y[step * 16:(step + 1) * 16]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb).float(), yb)
            loss.backward()
            opt.step()
            print(step, loss.item())
    """)
    out_json = tmp_path / "d.json"
    code = main(["run", "--quiet", "--no-verify", "--reruns", "1", "--timeout", "120", "--json", str(out_json),
                 "train.py"])
    _out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out_json.read_text())
    first = d["first_nonfinite"]
    assert first["step"] == 0 and first["phase"] == "optimizer", first
    assert first["source"]["code"] == "opt.step()", first  # the update's own line (no op of the program made it)
    assert d["top_cause"] == "optim.eps_too_small", [c["id"] for c in d["causes"][:3]]
    lr_zero = next(p for p in d["probes"] if p["id"] == "lr_zero")
    assert lr_zero["status"] == "done" and lr_zero["facts"] == {"lr_zero.nonfinite": False}, lr_zero


def test_a_step_with_batchnorm_frozen_in_eval_mode_is_replayed_in_that_mode(tmp_path, capsys, monkeypatch):
    """Fine-tuning with model.train() and then every BatchNorm .eval() (frozen statistics), whose
    running_var was loaded from the wrong buffer (negative entries): the step's forward is NaN only
    because those layers use their running statistics. The replay keeps each submodule's mode (it
    put the whole model in train mode and found the forward finite), and the same step on batch
    statistics being finite is the running statistics' evidence."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn.functional as F
        from torch import nn

        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                              nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
        pretrained = {k: v.clone() for k, v in model.state_dict().items()}
        pretrained["1.running_mean"] = torch.randn(8)
        pretrained["1.running_var"] = pretrained["1.running_mean"]
        model.load_state_dict(pretrained)
        x, y = torch.randn(64, 3, 16, 16), torch.randint(0, 4, (64,))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        for step in range(8):
            model.train()
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
            xb, yb = x[step * 8:(step + 1) * 8], y[step * 8:(step + 1) * 8]
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            print(step, loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["step"] == 0 and first["phase"] == "forward" and first["source"]["line"] == 21, first
    assert d["top_cause"] == "arch.bn_running_stats", [c["id"] for c in d["causes"][:3]]


def test_a_validation_loss_that_reads_inf_is_the_evaluation_s_failure(tmp_path, capsys, monkeypatch):
    """Training stays finite; the validation loss, computed under no_grad from a model in eval mode,
    is inf (the model's output is finite, exp() in the loss overflows) and the program prints it.
    Reading it is the evaluation's failure, and the BatchNorm whose running variance of a column
    that is constant in training amplifies the validation rows is found."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn.functional as F
        from torch import nn

        torch.manual_seed(0)
        x_train = torch.randn(256, 4)
        x_train[:, 3] = 0.0
        y_train = torch.poisson(torch.full((256,), 3.0))
        x_val = torch.randn(64, 4)
        x_val[:, 3] = 40.0
        y_val = torch.poisson(torch.full((64,), 3.0))
        model = nn.Sequential(nn.BatchNorm1d(4, momentum=1.0), nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for epoch in range(3):
            model.train()
            for i in range(0, 256, 32):
                loss = F.poisson_nll_loss(model(x_train[i:i + 32]).squeeze(-1), y_train[i:i + 32])
                opt.zero_grad()
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                val = F.poisson_nll_loss(model(x_val).squeeze(-1), y_val).item()
            print(epoch, loss.item(), val)
    """)
    d = diagnosed(capsys, tmp_path)
    assert d["top_cause"] == "arch.bn_running_stats", [c["id"] for c in d["causes"][:3]]


def test_a_bare_parameter_first_seen_at_the_step_after_a_failing_micro_batch_is_restored(
        tmp_path, capsys, monkeypatch):
    """Gradient accumulation over a CRF whose transitions are trained beside its modules (the model's
    methods are called, never the model): the failing micro-batch is captured before the optimizer is
    first seen, so its state lacked the transitions, the update turned them NaN and the replay saw a
    NaN loss made by no op. The optimizer's parameters are now added to that state at its first step."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        def log_sum_exp(scores):
            return torch.log(torch.exp(scores).sum(dim=0))

        class CRF(nn.Module):
            def __init__(self):
                super().__init__()
                self.emit = nn.Linear(4, 3)
                self.transitions = nn.Parameter(torch.randn(3, 3))

            def partition(self, feats):
                alpha = feats[0]
                for t in range(1, len(feats)):
                    alpha = log_sum_exp(alpha.unsqueeze(1) + self.transitions) + feats[t]
                return log_sum_exp(alpha)

            def nll(self, x):
                feats = self.emit(x) * 20
                return self.partition(feats) - feats[:, 0].sum()

        torch.manual_seed(0)
        model = CRF()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        data = [torch.randn(n, 4) for n in (5, 6, 120, 7)]
        for epoch in range(2):
            opt.zero_grad()
            for x in data:
                loss = model.nll(x)
                (loss / 4).backward()
                print(loss.item())
            opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["step"] == 0 and first["op"] == "exp" and first["kind"] == "posinf", first
    assert d["top_cause"] == "num.exp_overflow", [c["id"] for c in d["causes"][:3]]


def test_a_validation_metric_that_divides_by_zero_targets_is_diagnosed_not_called_healthy(
        tmp_path, capsys, monkeypatch):
    """Training stays finite; the validation MAPE divides by targets that are 0 and prints inf every
    epoch. The evaluation's failure is the run's failure (it was seen, but no training step recorded
    it, so the run was called healthy), replayed to the division and its line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn as nn

        torch.manual_seed(1)
        X = torch.rand(600, 8) * 3
        y = (X[:, :1] * 2 - 1.0).clamp(min=0)
        model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        for epoch in range(4):
            model.train()
            for i in range(0, 500, 50):
                loss = nn.functional.l1_loss(model(X[i:i + 50]), y[i:i + 50])
                opt.zero_grad()
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                p = model(X[500:])
                mape = ((p - y[500:]).abs() / y[500:]).mean()
            print(epoch, loss.item(), mape.item())
    """)
    d = diagnosed(capsys, tmp_path)
    assert d["status"] == "diagnosed" and d["top_cause"] == "num.div_zero", [c["id"] for c in d["causes"][:3]]
    first = d["first_nonfinite"]
    assert first["failure"] == "eval" and first["op"] == "div" and first["source"]["line"] == 20


def test_a_nan_made_by_a_custom_autograd_function_s_backward_is_replayed_through_it(
        tmp_path, capsys, monkeypatch):
    """A torch.autograd.Function of the program's own, with a hand-written backward that divides by
    its output (0 where its input is 0): the tape saw only the ops of its forward (run without
    autograd), so the replay lost the gradient through it and the NaN was 'not reproduced'. The
    Function is now one call on the tape, replayed with its own backward, and the op inside that
    backward is named with its line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn as nn

        class RootCompress(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x.abs().sqrt()
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return g * torch.sign(x) / (2 * y)

        torch.manual_seed(0)
        X = torch.randn(256, 16)
        X[:, 3] = 0.0
        y = (X[:, 0] * 2 - X[:, 1]).unsqueeze(1)
        net = nn.Sequential(nn.Linear(16, 32), nn.Tanh())
        head = nn.Linear(32, 1)
        opt = torch.optim.SGD(list(net.parameters()) + list(head.parameters()), lr=0.05)
        for i in range(0, 256, 64):
            h = net(X[i:i + 64])
            h = RootCompress.apply(h * X[i:i + 64, 3:4])
            loss = ((head(h) - y[i:i + 64]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            print(loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    # the division inside its backward (0/0 where the output is 0), on the backward's own line
    assert first["reproduced"] and first["forward_op"] == "RootCompressBackward" and first["op"] == "div", first
    assert first["source"]["line"] == 15
    assert d["top_cause"] in ("num.div_zero", "num.sqrt_zero_grad"), [c["id"] for c in d["causes"][:3]]


def test_an_op_inside_a_custom_function_s_forward_is_named(tmp_path, capsys, monkeypatch):
    """A hand-written softmax cross-entropy as a custom autograd.Function, fed cosine logits at a
    scale of 300: exp overflows inside its forward. The replay's watcher sees the Function as one
    op (a torch function mode is off while it handles a call), so the NaN was the Function's, at
    the program's apply line, and read as a log of zero. The Function is run once more under a
    watcher of its own, which names exp on the forward's line."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class SoftmaxXent(torch.autograd.Function):
            @staticmethod
            def forward(ctx, logits, target):
                e = torch.exp(logits)
                p = e / e.sum(dim=1, keepdim=True)
                ctx.save_for_backward(p, target)
                return -torch.log(p.gather(1, target[:, None])).mean()

            @staticmethod
            def backward(ctx, g):
                p, target = ctx.saved_tensors
                grad = p.clone()
                grad[torch.arange(len(target)), target] -= 1
                return g * grad / len(target), None

        torch.manual_seed(0)
        X = torch.randn(256, 20)
        Y = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()
        encoder = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 16))
        prototypes = nn.Parameter(torch.randn(3, 16))
        opt = torch.optim.SGD(list(encoder.parameters()) + [prototypes], lr=0.1)
        for i in range(0, 256, 64):
            z = F.normalize(encoder(X[i:i + 64]), dim=1)
            logits = 300.0 * z @ F.normalize(prototypes, dim=1).t()
            loss = SoftmaxXent.apply(logits, Y[i:i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
            print(loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["op"] == "exp" and first["first_nan_op"] == "div" and first["source"]["line"] == 9, first
    assert d["top_cause"] == "num.exp_overflow", [c["id"] for c in d["causes"][:3]]


def test_a_program_with_anomaly_mode_on_that_raises_in_its_first_backward_is_replayed(
        tmp_path, capsys, monkeypatch):
    """The program turned on autograd's anomaly mode, so its first backward raises ("returned nan
    values") before any optimizer step. That raise is how it met the NaN: the step is replayed with
    anomaly mode off (the model's parameters stand in for the optimizer's, never seen) and the
    sqrt at 0 is found, where the error had been read as a crash of the program's own."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn as nn

        torch.autograd.set_detect_anomaly(True)
        torch.manual_seed(0)
        X = torch.rand(256, 6)
        X[:, 5] = 0.0
        y = (X[:, 0] > 0.5).float()
        model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for i in range(0, 256, 64):
            p = model(X[i:i + 64]).squeeze(1)
            loss = (p - y[i:i + 64]).pow(2).mean() + 0.1 * (X[i:i + 64, 5] * p).pow(2).sum().sqrt()
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["reproduced"] and first["phase"] == "backward" and first["source"]["line"] == 14, first
    assert d["top_cause"] == "num.sqrt_zero_grad", [c["id"] for c in d["causes"][:3]]


def test_clip_grad_norm_raising_on_a_non_finite_norm_is_the_failure_not_a_crash(tmp_path, capsys, monkeypatch):
    """clip_grad_norm_(error_if_nonfinite=True) raises once the gradients overflow: the step is
    replayed from its loss (no op of the loop raised) and its non-finite gradients are the failure."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn as nn

        torch.manual_seed(0)
        X = torch.randn(500, 8)
        y = X[:, :2].sum(1, keepdim=True)
        model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
        opt = torch.optim.SGD(model.parameters(), lr=3.0)
        for epoch in range(20):
            for i in range(0, 500, 50):
                loss = nn.functional.mse_loss(model(X[i:i + 50]), y[i:i + 50])
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1e6, error_if_nonfinite=True)
                opt.step()
    """)
    d = diagnosed(capsys, tmp_path)
    assert d["status"] == "diagnosed" and d["first_nonfinite"]["reproduced"], d["verdict"]
    assert d["top_cause"] == "optim.lr_too_high", [c["id"] for c in d["causes"][:3]]


def test_a_float64_program_is_watched_like_any_other(tmp_path, capsys, monkeypatch):
    """torch.set_default_dtype(torch.float64) (physics-informed and scientific code): the watch's
    per-step peak asked vector_norm to narrow float64 to float32, which it refuses, so the program
    'raised before training started'."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.set_default_dtype(torch.float64)
        torch.manual_seed(0)
        t = torch.linspace(0, 1, 64).unsqueeze(1)
        model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for it in range(30):
            loss = (model(t) - torch.sin(3 * t)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(loss.item())
    """)
    code, _out, err = run(capsys, "--json", "d.json", "train.py")
    assert code == 1, err  # ran to the end, nothing to diagnose
    d = json.loads((tmp_path / "d.json").read_text())
    assert d["status"] == "healthy" and d["top_cause"] is None, d["verdict"]


def test_the_op_inside_a_custom_backward_that_overflows_is_named_with_its_line(tmp_path, capsys, monkeypatch):
    """A softplus Function whose hand-written backward computes exp(x) / (1 + exp(x)): for x > 88
    that is inf / inf. The autograd node alone says only 'SoftplusFnBackward'; its backward is run
    once more under the op watcher, and the exp on the backward's line is the producer."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn.functional as F
        from torch import nn

        class SoftplusFn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return F.softplus(x)

            @staticmethod
            def backward(ctx, grad_out):
                (x,) = ctx.saved_tensors
                sig = torch.exp(x) / (1.0 + torch.exp(x))
                return grad_out * sig

        torch.manual_seed(0)
        X = torch.randn(256, 5)
        y = 120 + 60 * X[:, 0].abs()
        model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 1))
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        for epoch in range(30):
            for i in range(0, 256, 32):
                pred = SoftplusFn.apply(model(X[i:i + 32])).squeeze(-1)
                loss = F.poisson_nll_loss(pred, y[i:i + 32], log_input=False)
                opt.zero_grad()
                loss.backward()
                opt.step()
            print(epoch, loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["phase"] == "backward" and first["op"] == "exp" and first["source"]["line"] == 15, first
    assert d["top_cause"] == "num.exp_overflow", [c["id"] for c in d["causes"][:3]]


def test_a_loop_that_updates_bare_tensors_by_hand_is_watched_step_by_step(tmp_path, capsys, monkeypatch):
    """No module, no optimizer (makemore-style): weights are bare tensors, updated with
    `p.data += -lr * p.grad`. Each change of a weight after a backward ends a step; the weights are
    kept as parameters (not values the tape made), and the last, one-row batch's var() is found. The
    run had been called healthy: no optimizer step was ever seen."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch

        g = torch.Generator().manual_seed(0)
        X = torch.randn(161, 10, generator=g)
        Y = (X[:, 0] > 0).long()
        W1 = torch.randn(10, 32, generator=g) * 0.3
        W2 = torch.randn(32, 2, generator=g) * 0.3
        params = [W1, W2]
        for p in params:
            p.requires_grad = True
        for epoch in range(3):
            for i in range(0, 161, 32):
                h = X[i:i + 32] @ W1
                h = (h - h.mean(0, keepdim=True)) / (h.var(0, keepdim=True) + 1e-5).sqrt()
                loss = torch.nn.functional.cross_entropy(torch.tanh(h) @ W2, Y[i:i + 32])
                for p in params:
                    p.grad = None
                loss.backward()
                for p in params:
                    p.data += -0.1 * p.grad
            print(epoch, loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["step"] == 5 and first["op"] == "var" and first["source"]["line"] == 15, first
    assert d["top_cause"] == "num.single_element_variance", [c["id"] for c in d["causes"][:3]]
    # the model is measured from the weights it updates by hand (randn * 0.3 over 10 inputs: 0.95)
    assert 0.8 < d["evidence"]["init.weight_scale"] < 1.1, d["evidence"]


def test_an_rnn_s_hidden_state_carried_across_steps_of_a_hand_written_update_is_replayed(
        tmp_path, capsys, monkeypatch):
    """The word-language-model example: `hidden = h.detach()` carries the state over, and the
    weights are updated by hand. The detach is kept as a value (the replay of the failing step had
    needed every earlier step through it, long dropped from the tape), and the ReLU RNN is found."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        data = torch.randint(0, 50, (400, 8))
        emb, rnn, head = nn.Embedding(50, 32), nn.RNN(32, 64, nonlinearity="relu"), nn.Linear(64, 50)
        params = list(emb.parameters()) + list(rnn.parameters()) + list(head.parameters())
        hidden = torch.zeros(1, 8, 64)
        for i in range(0, 390, 10):
            x, y = data[i:i + 10], data[i + 1:i + 11]
            hidden = hidden.detach()
            out, hidden = rnn(emb(x), hidden)
            loss = nn.functional.cross_entropy(head(out).reshape(-1, 50), y.reshape(-1))
            for p in params:
                p.grad = None
            loss.backward()
            for p in params:
                p.data.add_(p.grad, alpha=-20.0)
            print(i, loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["reproduced"] and first.get("op") is not None, first
    assert "error" not in first, first


def test_a_hand_written_batchnorm_whose_running_var_went_nan_is_found_at_evaluation(
        tmp_path, capsys, monkeypatch):
    """A BatchNorm written by hand (running_mean / running_var buffers, an unbiased var for the
    running update): the last batch of one row makes running_var NaN, training stays finite and every
    evaluation is NaN. The buffer is the root (not 'an op no cause knows'), and the module counts as
    a BatchNorm (it had been 'no BatchNorm in the model', ruling the cause out)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        class SiteNorm(nn.Module):
            def __init__(self, c):
                super().__init__()
                self.weight, self.bias = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))
                self.register_buffer("running_mean", torch.zeros(c))
                self.register_buffer("running_var", torch.ones(c))

            def forward(self, x):
                if self.training:
                    mean, var = x.mean(0), x.var(0, unbiased=False)
                    with torch.no_grad():
                        self.running_mean.mul_(0.9).add_(0.1 * mean)
                        self.running_var.mul_(0.9).add_(0.1 * x.var(0))
                else:
                    mean, var = self.running_mean, self.running_var
                return (x - mean) / torch.sqrt(var + 1e-5) * self.weight + self.bias

        torch.manual_seed(0)
        X, y = torch.randn(97, 6), torch.randint(0, 3, (97,))
        model = nn.Sequential(nn.Linear(6, 16), SiteNorm(16), nn.ReLU(), nn.Linear(16, 3))
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(3):
            model.train()
            for i in range(0, 97, 16):
                loss = nn.functional.cross_entropy(model(X[i:i + 16]), y[i:i + 16])
                opt.zero_grad()
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                print(epoch, nn.functional.cross_entropy(model(X), y).item())
    """)
    d = diagnosed(capsys, tmp_path)
    assert d["first_nonfinite"]["failure"] == "eval" and d["first_nonfinite"]["op"] == "buffer", d["first_nonfinite"]
    assert d["top_cause"] == "arch.bn_running_stats", [c["id"] for c in d["causes"][:3]]


def test_a_loss_term_weighted_far_too_high_is_found_and_its_down_weighting_verified(
        tmp_path, capsys, monkeypatch):
    """A VAE whose KL term is weighted 2000: the loss is one backward of `rec + beta * kl`, so the
    watch saw one term, and the per-term trajectories (and the re-run with the dominant term x0.1)
    existed for contract scripts only. The terms of the sum are now recorded by name, and the re-run
    gives backward the loss less 90% of the term."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        torch.manual_seed(0)
        X = torch.rand(256, 16)
        enc = nn.Linear(16, 8)
        dec = nn.Linear(4, 16)
        opt = torch.optim.SGD(list(enc.parameters()) + list(dec.parameters()), lr=3e-3, momentum=0.9)
        beta = 2000.0
        for epoch in range(4):
            for i in range(0, 256, 32):
                x = X[i:i + 32]
                mu, logvar = enc(x).chunk(2, dim=1)
                z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
                rec = F.binary_cross_entropy_with_logits(dec(z), x, reduction="sum") / len(x)
                kl = -0.5 * torch.mean(torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1))
                loss = rec + beta * kl
                opt.zero_grad()
                loss.backward()
                opt.step()
            print(epoch, rec.item(), kl.item())
    """)
    d = verified(capsys, tmp_path)
    evidence = d["evidence"]
    assert evidence["loss.terms"] == 2 and evidence["baseline.term_growth"] >= 10, evidence
    assert sorted(d["series"][0]["terms"]) == ["rec", "weighted kl"]
    assert evidence["fix.downweight_term.clean"] is True
    assert d["top_cause"] == "optim.loss_term_weight", [c["id"] for c in d["causes"][:3]]


def test_a_half_model_whose_loss_is_scaled_by_hand_is_the_scaling_misuse(tmp_path, capsys, monkeypatch):
    """fp16 weights with fp32 master copies the loop fills itself, and a static loss scale: the
    scaled gradients overflow in the half model's backward. The optimizer's own (master) gradients
    are copies, so the replay looks at the model's; a gradient the loop overwrites each step is not
    one carried over; and the constant the loss was multiplied by is the loop's own loss scale."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        feats = torch.randn(2048, 32)
        target = feats[:, :3].sum(1)
        net = nn.Sequential(nn.Linear(32, 128), nn.Tanh(), nn.Linear(128, 1)).half()
        master = [p.detach().float().requires_grad_() for p in net.parameters()]
        opt = torch.optim.SGD(master, lr=1e-4)
        for it in range(20):
            rows = torch.randint(0, 2048, (512,))
            pred = net(feats[rows].half()).float().squeeze(1)
            loss = ((pred - target[rows]) ** 2).sum()
            net.zero_grad()
            (loss * 8192).backward()
            for m, p in zip(master, net.parameters()):
                if m.grad is None:
                    m.grad = torch.zeros_like(m)
                m.grad.copy_(p.grad.float() / 8192)
            opt.step()
            with torch.no_grad():
                for m, p in zip(master, net.parameters()):
                    p.copy_(m)
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["phase"] == "backward" and first["source"]["line"] == 13, first
    assert d["evidence"]["loop.loss_scaled_by_hand"] is True
    assert d["evidence"]["loop.grads_carried_over"] is False
    assert d["top_cause"] == "optim.accumulation_or_scaling_misuse", [c["id"] for c in d["causes"][:3]]


def test_a_radicand_made_of_parameters_that_goes_negative_is_the_sqrt_cause(tmp_path, capsys, monkeypatch):
    """A physical model's sqrt of parameters (a damped frequency) that an update carries below 0:
    lr 0 and lr x0.1 avoid it, as they avoid any crossing the weights must move into; a radicand of
    parameters alone is the formula's domain, not the step size."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch

        torch.manual_seed(0)
        t = torch.linspace(0, 6, 200)
        obs = torch.exp(-0.8 * t) * torch.cos(0.05 * t) + 0.01 * torch.randn(200)
        k = torch.tensor(1.0, requires_grad=True)
        c = torch.tensor(0.5, requires_grad=True)
        opt = torch.optim.SGD([k, c], lr=0.5)
        for epoch in range(40):
            freq = torch.sqrt(k - c ** 2)
            fit = torch.exp(-c * t) * torch.cos(freq * t)
            loss = ((fit - obs) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            print(epoch, loss.item())
    """)
    d = diagnosed(capsys, tmp_path)
    first = d["first_nonfinite"]
    assert first["op"] == "sqrt" and first["source"]["line"] == 11, first
    assert d["top_cause"] == "num.sqrt_negative", [(c["id"], c["probability"]) for c in d["causes"][:3]]


def test_an_initialization_the_program_chose_is_verified_by_going_back_to_the_default(tmp_path, capsys, monkeypatch):
    """Deep layers drawn from N(0, 1): the output is Inf before any update. The fix is verified by
    re-running the program with every layer given PyTorch's own initialization (reset_parameters,
    before the model's first call; the optimizer keeps the same tensors)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        x = torch.randn(256, 128)
        y = x[:, :4].sum(1, keepdim=True)
        layers = []
        for _ in range(24):
            layer = nn.Linear(128, 128)
            nn.init.normal_(layer.weight, std=1.0)
            layers += [layer, nn.ReLU()]
        model = nn.Sequential(*layers, nn.Linear(128, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for step in range(20):
            idx = torch.randint(0, 256, (32,))
            loss = nn.functional.mse_loss(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    d = verified(capsys, tmp_path)
    assert d["evidence"]["fix.default_init.clean"] is True
    assert d["top_cause"] == "init.bad_init"
    fixes = next(c for c in d["causes"] if c["id"] == "init.bad_init")["fixes"]
    assert [f["verified"] for f in fixes if f["verify"] == "default_init"] == [True]


def test_an_exp_that_overflows_on_raw_inputs_is_verified_as_their_scale(tmp_path, capsys, monkeypatch):
    """A log-link count model on raw features (an area in the hundreds): its exp overflows on the
    first update. Which to fix, the exp or the inputs, is told by re-running the program with the
    model's inputs standardized (a forward pre-hook, from outside): it stays finite."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        n = 512
        area = torch.rand(n, 1) * 900 + 100
        rooms = torch.randint(1, 9, (n, 1)).float()
        age = torch.rand(n, 1) * 80
        x = torch.cat([area, rooms, age], dim=1)
        y = torch.poisson(torch.exp(0.5 + 0.1 * rooms - 0.01 * age).squeeze(1))
        model = nn.Linear(3, 1)
        nn.init.zeros_(model.weight)
        nn.init.zeros_(model.bias)
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
        for step in range(30):
            idx = torch.randint(0, n, (64,))
            eta = model(x[idx]).squeeze(1)
            loss = (torch.exp(eta) - y[idx] * eta).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    """)
    d = verified(capsys, tmp_path)
    assert d["evidence"]["first_nonfinite.op"] == "exp"
    assert d["evidence"]["fix.standardize_inputs.clean"] is True
    assert d["top_cause"] == "data.unnormalized_input" and d["causes"][0]["probability"] > 0.9
    fixes = d["causes"][0]["fixes"]
    assert [f["verified"] for f in fixes if f["verify"] == "standardize_inputs"] == [True]


def test_an_optimizer_stepped_on_unscaled_gradients_without_scaler_step_is_the_scaling_misuse(
        tmp_path, capsys, monkeypatch):
    """scaler.scale(loss).backward(); scaler.unscale_(opt); clip; opt.step(): the gradients are unscaled,
    but nothing skips the step whose fp16 gradients overflowed at the scaler's first scale (its
    normal calibration). Learning rate 0 fails as well (0 * Inf), which says nothing against it."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        torch.manual_seed(0)
        signals = torch.randn(1024, 48)
        targets = signals[:, :6].sum(1, keepdim=True) * 30
        net = nn.Sequential(nn.Linear(48, 96), nn.GELU(), nn.Linear(96, 1))
        optimizer = torch.optim.AdamW(net.parameters(), lr=3e-4)
        scaler = torch.amp.GradScaler("cpu")
        for it in range(25):
            rows = torch.randint(0, 1024, (128,))
            with torch.autocast("cpu", dtype=torch.float16):
                err = net(signals[rows]) - targets[rows]
                loss = (err ** 2).sum()
            optimizer.zero_grad()
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            optimizer.step()
            scaler.update()
    """)
    d = diagnosed(capsys, tmp_path)
    assert d["evidence"]["loop.scaler_step_bypassed"] is True
    assert d["evidence"]["loop.scaled_step"] is False
    assert d["top_cause"] == "optim.accumulation_or_scaling_misuse", [c["id"] for c in d["causes"][:3]]


@pytest.mark.parametrize("style", ["stream", "map"])
def test_a_standardization_inside_the_dataset_is_named_with_its_line(tmp_path, capsys, monkeypatch, style):
    """The loader's own code (a stream's __iter__, a dataset's __getitem__) divides a flat window by
    its std: the batch comes out of the DataLoader non-finite, and the fetch, watched, names the op."""
    monkeypatch.chdir(tmp_path)
    source = {
        "stream": """
            class Windows(IterableDataset):
                def __iter__(self):
                    g = torch.Generator().manual_seed(3)
                    for k in range(600):
                        w = torch.randn(2, 32, generator=g)
                        if 300 <= k < 310:
                            w[1] = w[1, 0]
                        yield (w - w.mean(dim=1, keepdim=True)) / w.std(dim=1, keepdim=True), torch.tensor(k % 2)
        """,
        "map": """
            class Windows(Dataset):
                def __init__(self):
                    g = torch.Generator().manual_seed(3)
                    self.raw = torch.randn(600, 2, 32, generator=g)
                    self.raw[300:310, 1] = 0.5

                def __len__(self):
                    return len(self.raw)

                def __getitem__(self, k):
                    w = self.raw[k]
                    return (w - w.mean(dim=1, keepdim=True)) / w.std(dim=1, keepdim=True), torch.tensor(k % 2)
        """,
    }[style]
    (tmp_path / "train.py").write_text("""
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, IterableDataset
""" + textwrap.dedent(source) + """
model = nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in DataLoader(Windows(), batch_size=20):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
""", encoding="utf-8")
    result = diagnosed(capsys, tmp_path)
    assert result["top_cause"] == "data.zero_std_normalization"
    where = result["first_nonfinite"]
    assert (where["phase"], where["op"], where["operand_origin"]) == ("input", "div", "variance")
    assert where["source"]["code"].startswith(("yield (w - w.mean", "return (w - w.mean"))


@pytest.mark.parametrize("style", ["loader", "slices", "numpy"])
def test_a_standardization_at_the_program_s_start_is_named_with_its_line(tmp_path, capsys, monkeypatch, style):
    """The feature matrix is standardized once, before any batch, with a constant column (std 0):
    in torch, then batched by a DataLoader over a TensorDataset or sliced by the loop; or in numpy
    and brought in with torch.from_numpy, where numpy's own warning names the line."""
    monkeypatch.chdir(tmp_path)
    prepare = {
        "loader": "x = (raw - raw.mean(0)) / raw.std(0)",
        "slices": "x = (raw - raw.mean(0)) / raw.std(0)",
        "numpy": "x = torch.from_numpy((raw.numpy() - raw.numpy().mean(0)) / raw.numpy().std(0))",
    }[style]
    batches = {
        "loader": "DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)",
        "slices": "[(x[i:i + 32], y[i:i + 32]) for i in range(0, 256, 32)]",
        "numpy": "DataLoader(TensorDataset(x, y), batch_size=32)",
    }[style]
    (tmp_path / "train.py").write_text(f"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
raw = torch.randn(256, 6) * 3 + 10
raw[:, 4] = 42.0
{prepare}
y = raw[:, :2].sum(1, keepdim=True)
model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for xb, yb in {batches}:
        loss = nn.functional.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
""", encoding="utf-8")
    result = diagnosed(capsys, tmp_path)
    assert result["top_cause"] == "data.zero_std_normalization"
    where = result["first_nonfinite"]
    assert where["phase"] == "input" and where["source"]["line"] == 9, where
    assert where["op"] == ("input" if style == "numpy" else "div")
    if style == "numpy":
        assert where["forward_op"] == "numpy divide"


def test_a_model_that_returns_masked_logits_is_not_a_failure_at_evaluation(tmp_path, capsys, monkeypatch):
    """A tagger returns its logits with -inf where a tag is not allowed; the loss ignores those
    positions. Evaluated in eval mode, its output holds -inf on purpose: no alarm."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(8, 5)

            def forward(self, x, allowed):
                return self.lin(x).masked_fill(~allowed, float("-inf"))

        torch.manual_seed(0)
        x = torch.randn(256, 8)
        allowed = torch.ones(256, 5, dtype=torch.bool)
        allowed[:, 4] = False
        y = torch.randint(0, 4, (256,))
        model = Tagger()
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for epoch in range(3):
            model.train()
            for i in range(0, 256, 32):
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(x[i:i + 32], allowed[i:i + 32]), y[i:i + 32])
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                logits = model(x, allowed)
                accuracy = (logits.argmax(1) == y).float().mean().item()
            print(f"epoch {epoch} loss {loss.item():.3f} accuracy {accuracy:.3f}")
    """)
    code, out, err = run(capsys, "train.py")
    assert code == 1, out + err  # healthy


def test_a_min_max_scaling_by_a_zero_range_is_preprocessing_not_an_empty_reduction(tmp_path, capsys, monkeypatch):
    """(x - min) / (max - min) over a constant column is 0/0, made from two reductions: a range of 0
    (the preprocessing cause), not a mean over nothing."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, """
        import torch
        from torch import nn

        g = torch.Generator().manual_seed(0)
        x = torch.randn(200, 4, generator=g)
        x[:, 3] = 7.0
        y = (x[:, 0] > 0).float().unsqueeze(1)
        lo, hi = x.min(0).values, x.max(0).values
        x = (x - lo) / (hi - lo)
        model = nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(20):
            opt.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
            loss.backward()
            opt.step()
            print(step, loss.item())
    """)
    result = diagnosed(capsys, tmp_path)
    where = result["first_nonfinite"]
    assert (where["phase"], where["op"], where["operand_origin"]) == ("input", "div", "range"), where
    assert result["top_cause"] == "data.zero_std_normalization"
