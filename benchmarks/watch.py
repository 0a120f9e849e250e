"""What `nanwiz run` costs: the always-on watch per training step, and the diagnosis after a failure.

1. Time per training step of ordinary training code, measured side by side in one run (rounds
   interleaved): plain, under nanwiz's watch (the hooks, the tape of the loop and the per-step
   sentinels `nanwiz run` installs), and under torch.autograd.detect_anomaly(). Two realistic
   models: a small ResNet-style CNN at batch 128 (32x32 images) and a 4-layer transformer
   encoder at sequence length 128.
2. The same under DDP: a two-rank job (gloo, one thread per rank) of the transformer encoder at
   sequence length 64, started by torch.distributed.run as it is and under `-m nanwiz.attach`
   (every rank watched, the ranks' stop agreed in the job's store), launches alternated.
3. From the moment of the failure to the printed diagnosis, without whole-program re-runs
   (`nanwiz run --reruns 0`), for the same program failing at step 50, 500 and 5,000: the
   diagnosis works on the state captured at the failure, so its cost must not grow with the step.

    python benchmarks/watch.py [--part overhead|ddp|post-failure|all] [--rounds 5] [--steps 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F


# ------------------------------------------------------------------ 1. per-step overhead
class Block(nn.Module):
    def __init__(self, channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(channels // stride, channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.skip = (nn.Sequential(nn.Conv2d(channels // stride, channels, 1, stride, bias=False),
                                   nn.BatchNorm2d(channels)) if stride > 1 else nn.Identity())

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.skip(x))


def resnet() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
                         Block(32), Block(64, 2), Block(128, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(128, 10))


class Tagger(nn.Module):
    def __init__(self, vocab: int = 1000, d: int = 256):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        layer = nn.TransformerEncoderLayer(d, 4, 4 * d, batch_first=True, dropout=0.1)
        self.encoder = nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)
        self.head = nn.Linear(d, vocab)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)))


def cnn_case():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(128 * 4, 3, 32, 32, generator=g), torch.randint(0, 10, (128 * 4,), generator=g)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=128, shuffle=True)
    return "ResNet-style CNN, batch 128, 32x32", resnet(), loader, lambda m, b: F.cross_entropy(m(b[0]), b[1])


def transformer_case():
    g = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, 1000, (16 * 4, 128), generator=g)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tokens), batch_size=16, shuffle=True)

    def loss(model, batch):
        (t,) = batch
        return F.cross_entropy(model(t[:, :-1]).reshape(-1, 1000), t[:, 1:].reshape(-1))

    return "4-layer transformer encoder, seq 128, batch 16", Tagger(), loader, loss


def train_steps(model, optimizer, loader, loss_fn, steps: int, anomaly: bool) -> list[float]:
    """Seconds per step of an ordinary loop (the code a user writes)."""
    times = []
    while len(times) < steps:
        for batch in loader:
            began = time.perf_counter()
            optimizer.zero_grad()
            if anomaly:
                with torch.autograd.detect_anomaly():
                    loss = loss_fn(model, batch)
                    loss.backward()
            else:
                loss = loss_fn(model, batch)
                loss.backward()
            optimizer.step()
            loss.item()  # most loops log the loss
            times.append(time.perf_counter() - began)
            if len(times) >= steps:
                break
    return times


def overhead(rounds: int, steps: int) -> None:
    from nanwiz.harness.attach.attachment import Attachment

    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {rounds} rounds x {steps} steps, "
          "median seconds per step\n")
    print("| model | plain | nanwiz watch | detect_anomaly |")
    print("|---|---|---|---|")
    for case in (cnn_case, transformer_case):
        name, model, loader, loss_fn = case()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        train_steps(model, optimizer, loader, loss_fn, 2, False)  # warm up
        results: dict[str, list[float]] = {"plain": [], "watch": [], "anomaly": []}
        for _ in range(rounds):
            results["plain"] += train_steps(model, optimizer, loader, loss_fn, steps, False)
            attachment = Attachment(stop_at_failure=False)
            with attachment:
                results["watch"] += train_steps(model, optimizer, loader, loss_fn, steps, False)
            results["anomaly"] += train_steps(model, optimizer, loader, loss_fn, steps, True)
        plain = statistics.median(results["plain"])
        cells = [f"{plain * 1000:.0f} ms"]
        for key in ("watch", "anomaly"):
            value = statistics.median(results[key])
            cells.append(f"{value * 1000:.0f} ms ({value / plain - 1:+.1%})")
        print(f"| {name} | " + " | ".join(cells) + " |")


# ------------------------------------------------------------------ 2. under DDP
DDP_PROGRAM = textwrap.dedent('''
    import json, statistics, sys, time
    import torch
    import torch.distributed as dist
    from torch import nn
    import torch.nn.functional as F
    from torch.nn.parallel import DistributedDataParallel as DDP
    from torch.utils.data import DataLoader, TensorDataset
    from torch.utils.data.distributed import DistributedSampler

    out, steps = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(128, 4, 256, batch_first=True)
    model = nn.Sequential(nn.Embedding(1000, 128), nn.TransformerEncoder(layer, 4), nn.Linear(128, 1000))
    model = DDP(model)
    tokens = torch.randint(0, 1000, (16 * (steps + 3) * dist.get_world_size(), 65))
    loader = DataLoader(TensorDataset(tokens), batch_size=16, sampler=DistributedSampler(TensorDataset(tokens)))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    times = []
    for (t,) in loader:
        began = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(model(t[:, :-1]).reshape(-1, 1000), t[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        loss.item()
        times.append(time.perf_counter() - began)
    if dist.get_rank() == 0:
        open(out, "w").write(json.dumps(times[3:]))
    dist.destroy_process_group()
''')


def ddp(rounds: int, steps: int) -> None:
    """Two ranks, plain against watched, alternated launch by launch; median seconds per step of rank 0."""
    results: dict[str, list[float]] = {"plain": [], "watch": []}
    with tempfile.TemporaryDirectory() as tmp:
        program = Path(tmp) / "train_ddp.py"
        program.write_text(DDP_PROGRAM)
        launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
        for _ in range(rounds):
            for mode in ("plain", "watch"):
                out = Path(tmp) / f"{mode}.json"
                attach = ["-m", "nanwiz.attach", "--events", str(Path(tmp) / "ranks")] if mode == "watch" else []
                cmd = launcher + attach + [str(program), str(out), str(steps)]
                subprocess.run(cmd, check=True, capture_output=True, cwd=tmp)
                results[mode] += json.loads(out.read_text())
    plain, watch = statistics.median(results["plain"]), statistics.median(results["watch"])
    print(f"\nDDP, 2 ranks (gloo, 1 thread each), {rounds} launches each x {steps} steps, median seconds "
          "per step of rank 0\n")
    print("| model | plain torchrun | under nanwiz.attach |")
    print("|---|---|---|")
    print(f"| 4-layer transformer encoder, seq 64, batch 16 per rank | {plain * 1000:.0f} ms | "
          f"{watch * 1000:.0f} ms ({watch / plain - 1:+.1%}) |")


# ------------------------------------------------------------------ 3. cost after the failure
PROGRAM = textwrap.dedent('''
    import sys
    import torch
    from torch import nn
    import torch.nn.functional as F

    fail_at = int(sys.argv[1])
    torch.manual_seed(0)
    x = torch.randn(4096, 32)
    y = x[:, :4].sum(1, keepdim=True)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    step = 0
    while True:
        for i in range(0, 4096, 64):
            xb, yb = x[i:i + 64].clone(), y[i:i + 64]
            if step == fail_at:
                xb[3, 5] = float("nan")  # a corrupt record reaches the model at this step
            opt.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            step += 1
''')


def post_failure(steps_list: list[int]) -> None:
    print("\n| failure at step | plain run to the failure | nanwiz run, total | from the failure to the "
          "diagnosis |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        program = Path(tmp) / "train.py"
        program.write_text(PROGRAM)
        for fail_at in steps_list:
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", PROGRAM.replace("while True:", f"while step <= {fail_at}:"),
                            str(fail_at)], check=True, capture_output=True)
            plain = time.perf_counter() - began
            session = Path(tmp) / f"s{fail_at}.json"
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nanwiz", "run", "--quiet", "--reruns", "0", "--no-plots",
                            "--save", str(session), str(program), str(fail_at)], capture_output=True, cwd=tmp)
            ended = time.time()
            total = time.perf_counter() - began
            details = json.loads(session.read_text())["probes"]["baseline"]["details"]
            failed_at = details.get("program_failed_at")
            after = ended - failed_at if failed_at else float("nan")
            print(f"| {fail_at} | {plain:.1f} s | {total:.1f} s | {after:.1f} s |")


CONTRACT = textwrap.dedent('''
    import torch
    from torch import nn
    import torch.nn.functional as F

    FAIL_AT = {fail_at}


    def build_model():
        return nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 1))


    def build_dataset():
        g = torch.Generator().manual_seed(0)
        x = torch.randn(4096, 32, generator=g)
        return torch.utils.data.TensorDataset(x, x[:, :4].sum(1, keepdim=True))


    def build_optimizer(params, lr):
        return torch.optim.SGD(params, lr=lr)


    def build_scheduler(optimizer):  # a schedule whose second phase was mistyped
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0 if s < FAIL_AT else 1e12)


    def compute_loss(model, batch):
        x, y = batch
        return F.mse_loss(model(x), y)


    NANWIZ = {{"lr": 1e-2, "batch_size": 64, "steps": FAIL_AT + 20}}
''')


def post_failure_contract(steps_list: list[int]) -> None:
    """`nanwiz probe` on a contract script failing at step N, without whole re-runs (--probes
    without lr_sweep, --no-verify): from the moment the baseline saw the failure to the diagnosis."""
    print("\n| failure at step (contract script) | plain run to the failure | nanwiz probe, no re-runs | "
          "from the failure to the diagnosis |")
    print("|---|---|---|---|")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from diagnosis_time import plain_run

    probes = "source,inspect,baseline,bisect,lr_zero,amp,batchnorm,repeat"
    with tempfile.TemporaryDirectory() as tmp:
        for fail_at in steps_list:
            script = Path(tmp) / f"schedule_{fail_at}.py"
            script.write_text(CONTRACT.format(fail_at=fail_at))
            plain, step, _ = plain_run(script, 900)
            session = Path(tmp) / f"c{fail_at}.json"
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nanwiz", "probe", "--quiet", "--no-verify", "--no-plots",
                            "--probes", probes, "--save", str(session), "--model", str(script)],
                           capture_output=True, cwd=tmp)
            ended = time.time()
            total = time.perf_counter() - began
            failed_at = json.loads(session.read_text())["probes"]["baseline"]["details"].get("failed_at")
            after = ended - failed_at if failed_at else float("nan")
            print(f"| {fail_at} (first NaN/Inf at {step}) | {plain:.1f} s | {total:.1f} s | {after:.1f} s |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["overhead", "ddp", "post-failure", "all"], default="all")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--fail-at", default="50,500,5000")
    args = parser.parse_args()
    if args.part in ("overhead", "all"):
        overhead(args.rounds, args.steps)
    if args.part in ("ddp", "all"):
        ddp(args.rounds, args.steps)
    if args.part in ("post-failure", "all"):
        post_failure([int(s) for s in args.fail_at.split(",")])
        post_failure_contract([int(s) for s in args.fail_at.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
