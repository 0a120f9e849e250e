"""What nanwiz's watching costs, and what bisection saves.

1. Time per training step on a model of a few million parameters, measured side by side in
   one run (interleaved rounds): plain training; nanwiz's baseline harness (sentinels read in
   one host transfer per step, stats every 40 steps, adaptive snapshots); and plain training
   under torch.autograd.detect_anomaly().
2. Forward passes to find k bad samples among N = 10,000: bisection (group testing) against
   the linear batch-size-1 scan of seed 001 §3.1, with a real model and real NaN samples.

    python benchmarks/overhead.py [--rounds 5] [--steps 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import torch
from torch import nn

SCRIPT = textwrap.dedent('''
    import torch
    from torch import nn
    import torch.nn.functional as F

    def build_model():
        return nn.Sequential(nn.Linear(512, 1536), nn.ReLU(), nn.Linear(1536, 1024), nn.ReLU(),
                             nn.Linear(1024, 512), nn.ReLU(), nn.Linear(512, 10))

    def build_dataset():
        g = torch.Generator().manual_seed(0)
        return torch.utils.data.TensorDataset(torch.randn(N, 512, generator=g), torch.randint(0, 10, (N,), generator=g))

    def compute_loss(model, batch):
        x, y = batch
        return F.cross_entropy(model(x), y)

    NANWIZ = {"lr": 1e-4, "batch_size": 64, "steps": STEPS}
''')


WARMUP = 2


def plain_steps(model, optimizer, batches, anomaly: bool, load) -> float:
    """Mean seconds per step after the warm-up steps (each step loads its batch, as a DataLoader would)."""
    import torch.nn.functional as F

    stamps = [time.perf_counter()]
    for indices in batches:
        x, y = load(indices)
        if anomaly:
            with torch.autograd.detect_anomaly():
                loss = F.cross_entropy(model(x), y)
                loss.backward()
        else:
            loss = F.cross_entropy(model(x), y)
            loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss.item()  # a training loop logs its loss: one host sync per step, like the sentinels
        stamps.append(time.perf_counter())
    return (stamps[-1] - stamps[WARMUP]) / (len(batches) - WARMUP)


def step_overhead(rounds: int, steps: int) -> dict[str, list[float]]:
    from nanwiz.harness.run import TrainingRun
    from nanwiz.harness.script import load_target

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_target.py"
        path.write_text(SCRIPT.replace("STEPS", str(steps)).replace("N, 512", "4096, 512").replace(
            "(N,)", "(4096,)"))
        target = load_target(path)
        dataset = target.build_dataset()
        times: dict[str, list[float]] = {"plain": [], "nanwiz": [], "detect_anomaly": []}
        params = None
        for _ in range(rounds):
            run = TrainingRun(target, dataset)
            params = sum(p.numel() for p in run.model.parameters())
            batches = [run.indices(t) for t in range(steps)]
            load = run.load_batch
            # plain: same model, optimizer and batches, no watching
            model = target.build_model().to(run.device)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
            times["plain"].append(plain_steps(model, optimizer, batches, anomaly=False, load=load))
            stamps: list[float] = []
            began = time.perf_counter()
            # the baseline probe's cadence for a 200-step run: per-module statistics every 5 steps
            run.run(stats_every=5, progress=lambda done, total: stamps.append(time.perf_counter()))
            stamps.insert(0, began)
            times["nanwiz"].append((stamps[-1] - stamps[WARMUP]) / (steps - WARMUP))
            model = target.build_model().to(run.device)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
            times["detect_anomaly"].append(plain_steps(model, optimizer, batches, anomaly=True, load=load))
        times["params"] = [float(params or 0)]
        times["device"] = [str(run.device)]
        return times


def bisection_passes(n: int = 10_000) -> list[dict[str, float]]:
    from nanwiz.harness.grouptest import find_bad

    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    generator = torch.Generator().manual_seed(0)
    base = torch.randn(n, 16, generator=generator)
    labels = torch.randint(0, 4, (n,), generator=generator)
    rows = []
    for k in (1, 3, 10):
        x = base.clone()
        bad = torch.randperm(n, generator=generator)[:k].tolist()
        x[bad, 3] = float("nan")

        def test(group: list[int]) -> str | None:
            index = torch.tensor(group)
            loss = nn.functional.cross_entropy(model(x[index]), labels[index])
            return None if torch.isfinite(loss) else "nan"

        began = time.perf_counter()
        result = find_bad(range(n), test, max_group=1024)
        seconds = time.perf_counter() - began
        assert sorted(result.bad) == sorted(bad), (result.bad, bad)
        rows.append({"k": k, "passes": result.passes, "linear": n, "seconds": seconds})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    times = step_overhead(args.rounds, args.steps)
    params = int(times.pop("params")[0])
    device = times.pop("device")[0]
    plain = statistics.median(times["plain"])
    where = f"{device} ({torch.cuda.get_device_name(0)})" if device.startswith("cuda") else \
        f"cpu, {torch.get_num_threads()} threads"
    print(f"Time per training step, {params / 1e6:.1f}M-parameter MLP, batch 64, {args.steps} steps x "
          f"{args.rounds} interleaved rounds, on {where} (median):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:15s} {median * 1000:8.2f} ms   x{median / plain:.2f} of plain")
    print("\nForward passes to find k bad samples among N = 10,000 (linear scan: 10,000):")
    for row in bisection_passes():
        print(f"  k = {row['k']:2d}: {row['passes']:4d} passes ({row['linear'] / row['passes']:.0f}x fewer), "
              f"{row['seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
