"""What `nanwiz run` costs: the always-on watch per training step, and the diagnosis after a failure.

1. Time per training step of ordinary training code, measured side by side in one run (rounds
   interleaved): plain, under nanwiz's watch (the hooks, the tape of the loop and the per-step
   sentinels `nanwiz run` installs), and under torch.autograd.detect_anomaly(). Two realistic
   models: a small ResNet-style CNN at batch 128 (32x32 images) and a 4-layer transformer
   encoder at sequence length 128.
2. From the moment of the failure to the printed diagnosis, without whole-program re-runs
   (`nanwiz run --reruns 0`), for the same program failing at step 50, 500 and 5,000: the
   diagnosis works on the state captured at the failure, so its cost must not grow with the step.

    python benchmarks/watch.py [--part overhead|post-failure|all] [--rounds 5] [--steps 6]
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


# ------------------------------------------------------------------ 2. cost after the failure
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["overhead", "post-failure", "all"], default="all")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--fail-at", default="50,500,5000")
    args = parser.parse_args()
    if args.part in ("overhead", "all"):
        overhead(args.rounds, args.steps)
    if args.part in ("post-failure", "all"):
        post_failure([int(s) for s in args.fail_at.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
