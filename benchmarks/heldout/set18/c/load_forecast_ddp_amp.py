import argparse
import math
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


def make_load_series(n_days=400, seed=3):
    g = torch.Generator().manual_seed(seed)
    hours = torch.arange(n_days * 24, dtype=torch.float32)
    daily = 180.0 * torch.sin(2 * math.pi * hours / 24 - 1.2)
    weekly = 60.0 * torch.sin(2 * math.pi * hours / (24 * 7))
    noise = 25.0 * torch.randn(hours.shape, generator=g)
    return 900.0 + daily + weekly + noise


def windows(series, lookback=48, horizon=12):
    xs, ys = [], []
    for start in range(0, len(series) - lookback - horizon, 6):
        xs.append(series[start : start + lookback])
        ys.append(series[start + lookback : start + lookback + horizon])
    x = torch.stack(xs)
    y = torch.stack(ys)
    scale = series.mean()
    return x / scale, y


class LoadForecaster(nn.Module):
    def __init__(self, lookback=48, horizon=12, hidden=128):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(lookback, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, horizon),
        )
        self.level = nn.Parameter(torch.tensor(900.0))

    def forward(self, x):
        return self.level + 100.0 * self.body(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(42)

    x, y = windows(make_load_series())
    shard = torch.arange(rank, len(x), world)
    x, y = x[shard], y[shard]

    model = DDP(LoadForecaster())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    steps_per_epoch = len(x) // args.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr * 3, total_steps=args.epochs * steps_per_epoch)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(args.epochs):
        g = torch.Generator().manual_seed(1000 * epoch + rank)
        perm = torch.randperm(len(x), generator=g)
        for b in range(steps_per_epoch):
            idx = perm[b * args.batch_size : (b + 1) * args.batch_size]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                pred = model(xb)
                loss = nn.functional.mse_loss(pred.float(), yb)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = nn.utils.clip_grad_norm_(model.parameters(), 50.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            if rank == 0 and (step < 25 or step % 10 == 0):
                print(f"epoch {epoch} step {step} loss {loss.item():.2f} grad_norm {gnorm.item():.3g} scale {scaler.get_scale():.0f}")
            step += 1

    if rank == 0:
        print("final level", model.module.level.item())
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
