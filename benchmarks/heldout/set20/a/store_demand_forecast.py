import argparse
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, IterableDataset


def build_sales_history(n_days, seed):
    rng = np.random.default_rng(seed)
    day = np.arange(n_days)
    weekly = 1.0 + 0.25 * np.sin(2 * np.pi * day / 7.0)
    trend = 1.0 + day / (4.0 * n_days)
    units = rng.poisson(40.0 * weekly * trend).astype(np.float32)
    holidays = [301, 359]
    for h in holidays:
        if h < n_days:
            units[h] = 0.0
    return units


class SlidingWindows(IterableDataset):
    def __init__(self, series, lookback, start, stop):
        self.series = series
        self.lookback = lookback
        self.start = start
        self.stop = stop

    def __iter__(self):
        for t in range(self.start + self.lookback, self.stop):
            hist = self.series[t - self.lookback:t]
            scale = hist.mean() + 1.0
            yield (torch.from_numpy(hist / scale).float(),
                   torch.tensor(self.series[t], dtype=torch.float32),
                   torch.tensor(scale, dtype=torch.float32))


class Forecaster(nn.Module):
    def __init__(self, lookback, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(lookback, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, hist, scale):
        return self.net(hist).squeeze(-1) * scale


def mape(pred, target):
    return (torch.abs(pred - target) / torch.abs(target)).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--days", type=int, default=420)
    p.add_argument("--lookback", type=int, default=28)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    series = build_sales_history(args.days, seed=5)
    split = int(args.days * 0.9)
    train_ds = SlidingWindows(series, args.lookback, 0, split)
    valid_ds = SlidingWindows(series, args.lookback, split - args.lookback, args.days)

    model = Forecaster(args.lookback)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = -(-(split - args.lookback) // args.batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps_per_epoch)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        for hist, target, scale in DataLoader(train_ds, batch_size=args.batch):
            pred = model(hist, scale)
            loss = mape(pred, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} train MAPE {loss.item() * 100:.2f}%")
            step += 1
        model.eval()
        with torch.no_grad():
            errs = [torch.abs(model(h, s) - y) for h, y, s in DataLoader(valid_ds, batch_size=64)]
            print(f"epoch {epoch} valid MAE {torch.cat(errs).mean().item():.2f} units")


if __name__ == "__main__":
    main()
