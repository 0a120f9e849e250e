"""`nanwiz probe` as a user meets it: each kind of broken script gives a clear message and
exit code 2; nothing reproduced gives 1; a diagnosis gives 0 with its report files; a probe
that hangs or crashes is reported as failed while the diagnosis still comes out.

main() runs in-process so every test shares one probe fork server (torch imported once)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from nanwiz.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scripts"
GOOD = """
import torch
from torch import nn
import torch.nn.functional as F

def build_model():
    return nn.Linear(4, 2)

def build_dataset():
    return torch.utils.data.TensorDataset(torch.randn(16, 4), torch.randint(0, 2, (16,)))

def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)

NANWIZ = {"batch_size": 4, "steps": 3}
"""


def write(tmp_path: Path, text: str, name: str = "train.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def probe(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["probe", "--quiet", "--no-verify", *args])
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())  # rich wraps the error panel: compare on words


BROKEN = {
    "syntax error": (GOOD.replace("def build_model():", "def build_model()"),
                     ["train.py:6", "syntax error"]),
    "missing builder": (GOOD.replace("def build_model():\n    return nn.Linear(4, 2)\n", ""),
                        ["does not define build_model (required)"]),
    "builder returns the wrong type": (GOOD.replace("return nn.Linear(4, 2)", "return [nn.Linear(4, 2)]"),
                                       ["build_model() in train.py must return a torch.nn.Module, got list"]),
    "loss is not a tensor": (GOOD.replace("return F.cross_entropy(model(x), y)",
                                          "return F.cross_entropy(model(x), y).item()"),
                             ["compute_loss in train.py must return a scalar Tensor", "got float"]),
    "loss is not a scalar": (GOOD.replace("return F.cross_entropy(model(x), y)",
                                          "return F.cross_entropy(model(x), y, reduction='none')"),
                             ["with shape [4]", "reduce it"]),
    "unknown NANWIZ key": (GOOD.replace('"steps": 3', '"steps": 3, "learning_rate": 0.1'),
                           ["unknown key 'learning_rate'", "Did you mean 'lr'?"]),
    "bad NANWIZ value": (GOOD.replace('"batch_size": 4', '"batch_size": 0'),
                         ["NANWIZ in train.py['batch_size'] must be an integer >= 1, got 0"]),
    "builder raises": (GOOD.replace("return torch.utils.data.TensorDataset(",
                                    "raise FileNotFoundError('data/train.csv')\n    return ("),
                       ["build_dataset() in train.py raised FileNotFoundError: data/train.csv",
                        "Traceback (user frames only)", 'train.py", line 10, in build_dataset']),
    "import fails": ("import not_a_module_anywhere\n" + GOOD,
                     ["importing train.py raised ModuleNotFoundError", "not_a_module_anywhere"]),
    "empty dataset": (GOOD.replace("torch.randn(16, 4), torch.randint(0, 2, (16,))",
                                   "torch.randn(0, 4), torch.randint(0, 2, (0,))"),
                      ["returned an empty dataset"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_scripts_give_a_clear_message_and_exit_2(tmp_path, capsys, case):
    text, expected = BROKEN[case]
    code, out, err = probe(capsys, "--model", str(write(tmp_path, text)), "--probes", "source,inspect,baseline")
    assert code == 2, err
    for piece in expected:
        assert piece in err, err
    assert "nanwiz/harness" not in err and "site-packages" not in err


@pytest.mark.parametrize("path, message", [("missing.py", "no such file"), ("notes.txt", "is not a Python file"),
                                           (".", "is a directory")])
def test_bad_paths_exit_2(tmp_path, capsys, path, message):
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = probe(capsys, "--model", str(tmp_path / path))
    assert code == 2 and message in err


def test_usage_errors_exit_2(capsys):
    code, _, err = probe(capsys, "--model", str(FIXTURES / "healthy.py"), "--probes", "baseline,nope")
    assert code == 2 and "unknown probe(s): nope" in err


def test_nothing_reproduced_exits_1_and_says_what_was_tried(capsys):
    code, out, err = probe(capsys, "--model", str(FIXTURES / "healthy.py"), "--probes", "inspect,baseline,lr_zero")
    assert code == 1
    assert "No NaN/Inf appeared" in " ".join(out.split()) and "No NaN/Inf was reproduced" in err


def test_diagnosis_exits_0_and_writes_report_json_and_session(tmp_path, capsys):
    report, data, session = tmp_path / "r.md", tmp_path / "r.json", tmp_path / "s.json"
    code = main(["probe", "--quiet", "--model", str(FIXTURES / "dirty_mlp.py"), "--report", str(report),
                 "--json", str(data), "--save", str(session),
                 "--probes", "source,inspect,baseline,lr_zero,bisect"])
    capsys.readouterr()
    assert code == 0
    d = json.loads(data.read_text())
    assert d["schema"] == "nanwiz.diagnosis/1" and d["top_cause"] == "data.nonfinite_input"
    assert d["bad_samples"]["indices"] == [7, 41]
    assert d["first_nonfinite"]["phase"] == "input"
    verified = [f for f in d["causes"][0]["fixes"] if f["verify"] == "exclude_bad_samples"]
    assert verified and verified[0]["verified"] is True
    text = report.read_text()
    assert "# nanwiz diagnosis: `dirty_mlp.py`" in text and "## Offending samples" in text
    assert "`7`, `41`" in text and "## Probe results" in text and "## Reproduce" in text
    assert "](r.svg)" in text and (tmp_path / "r.svg").exists() and d["series"][0]["id"] == "baseline"
    again = main(["report", str(session), "-o", str(tmp_path / "again.md")])
    capsys.readouterr()
    assert again == 0
    assert (tmp_path / "again.md").read_text().split("## Environment")[0].replace(d["generated_at"], "").replace(
        "again.svg", "r.svg") == text.split("## Environment")[0].replace(d["generated_at"], "")
    assert main(["report", str(session), "-o", str(tmp_path / "bare.md"), "--no-plots"]) == 0
    assert not (tmp_path / "bare.svg").exists() and "## The run" in (tmp_path / "bare.md").read_text()


def test_an_exception_in_training_is_diagnosed(tmp_path, capsys):
    script = write(tmp_path, GOOD.replace("torch.randint(0, 2, (16,))", "torch.randint(1, 3, (16,))"))
    code, out, err = probe(capsys, "--model", str(script), "--probes", "source,inspect,baseline,lr_zero,bisect")
    assert code == 0, err
    assert "data.bad_label" in out.split("Why")[0]


def test_a_hanging_probe_times_out_and_the_diagnosis_still_comes_out(tmp_path, capsys):
    script = write(tmp_path, GOOD.replace("    x, y = batch\n", "    x, y = batch\n    hang()\n") + textwrap.dedent("""
        import time
        calls = [0]
        def hang():
            calls[0] += 1
            if calls[0] > 2:
                time.sleep(3600)
    """))
    code, out, err = probe(capsys, "--model", str(script), "--probes", "source,inspect,baseline", "--timeout", "6")
    assert code == 1
    assert "Probe baseline timeout: timed out after 6 s" in " ".join(out.split())
    assert "Most likely cause" in out or "No NaN/Inf appeared" in " ".join(out.split())


def test_a_crashing_probe_is_reported(tmp_path, capsys):
    script = write(tmp_path, GOOD.replace("    x, y = batch\n", "    x, y = batch\n    crash()\n") + textwrap.dedent("""
        import ctypes
        calls = [0]
        def crash():
            calls[0] += 1
            if calls[0] > 2:
                ctypes.string_at(0)
    """))
    code, out, err = probe(capsys, "--model", str(script), "--probes", "source,inspect,baseline")
    text = " ".join(out.split())
    assert "Probe baseline crashed: the probe process crashed with a segmentation fault" in text
    assert code == 1


def test_an_interrupt_stops_every_probe_and_keeps_the_session(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = write(tmp_path, GOOD.replace("    x, y = batch\n", "    x, y = batch\n    time.sleep(0.5)\n")
                   .replace('"steps": 3', '"steps": 1000').replace("import torch\n", "import time\nimport torch\n", 1))
    session = tmp_path / "s.json"
    proc = subprocess.Popen([sys.executable, "-m", "nanwiz", "probe", "--quiet", "--model", str(script),
                             "--save", str(session), "--probes", "source,inspect,baseline,lr_zero"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the long probes are running
        if session.exists() and '"baseline"' in session.read_text():
            break
        time.sleep(0.2)
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)  # a scheduler or `timeout`; Ctrl-C (SIGINT) takes the same path
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    saved = json.loads(session.read_text())
    assert {saved["probes"][p]["status"] for p in ("baseline", "lr_zero")} == {"cancelled"}
    leftover = subprocess.run(["pgrep", "-f", f"nanwiz.probes.*{script.name}"], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
