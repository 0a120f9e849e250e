import argparse
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_station_data(n=512, seed=7):
    rng = np.random.default_rng(seed)
    hour = rng.integers(0, 24, n)
    temp = rng.normal(0.0, 1.0, n)
    humidity = rng.normal(0.0, 1.0, n)
    windspeed = rng.normal(0.0, 1.0, n)
    holiday = rng.integers(0, 2, n).astype(np.float64)
    # registered riders in the previous hour (hundreds)
    prev_registered = rng.gamma(2.0, 0.5, n)

    feats = np.stack([
        np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
        temp, humidity, windspeed, holiday, prev_registered,
    ], axis=1).astype(np.float32)
    log_rate = 1.5 + 0.4 * feats[:, 0] + 0.3 * temp - 0.2 * humidity + 0.25 * prev_registered
    # rentals in hundreds
    rentals = rng.poisson(100 * np.exp(log_rate)) / 100.0
    event_rows = [83, 301]
    rentals[event_rows] *= 100.0
    return torch.from_numpy(feats), torch.from_numpy(rentals.astype(np.float32))


class DemandNet(nn.Module):
    def __init__(self, n_in, hidden=32):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def log_cosh_loss(pred, target, switch=50.0):
    # log(cosh(d)) ~ |d| - log(2) for large |d|
    d = pred - target
    loss = torch.where(d.abs() < switch, torch.log(torch.cosh(d)), d.abs() - math.log(2.0))
    return loss.mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--accum", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x, y = make_station_data()
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=False)
    model = DemandNet(x.shape[1])
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        optimizer.zero_grad()
        running = 0.0
        for i, (xb, yb) in enumerate(loader):
            pred = model(xb)
            loss = log_cosh_loss(pred, yb) / args.accum
            loss.backward()
            running += loss.item()
            if (i + 1) % args.accum == 0:
                optimizer.step()
                optimizer.zero_grad()
                if step % 5 == 0:
                    print(f"epoch {epoch} step {step} loss {running:.4f}")
                running = 0.0
                step += 1
    print("done")


if __name__ == "__main__":
    main()
