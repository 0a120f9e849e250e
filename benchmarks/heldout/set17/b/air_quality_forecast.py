import argparse

import torch
from torch import nn


def make_station_data(n_samples=960, history=24, horizon=6, seed=7):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(history + horizon, dtype=torch.float32)
    phase = torch.rand(n_samples, 1, generator=g) * 6.28
    level = 20 + 10 * torch.rand(n_samples, 1, generator=g)
    series = level + 5 * torch.sin(t / 4 + phase) + torch.randn(n_samples, history + horizon, generator=g)
    x = series[:, :history]
    y = series[:, history:].clone()
    # sensor outages: some future readings were never recorded
    outage = [211, 212, 530, 777]
    for i in outage:
        y[i, 2:5] = float("nan")
    x = (x - 25.0) / 10.0
    y = (y - 25.0) / 10.0
    return x, y


class Forecaster(nn.Module):
    def __init__(self, history=24, horizon=6, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(history, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, horizon),
        )

    def forward(self, x):
        return self.net(x)


def masked_mse(pred, target):
    observed = ~torch.isnan(target)
    sq_err = (pred - target) ** 2
    sq_err = torch.where(observed, sq_err, torch.zeros_like(sq_err))
    return sq_err.sum() / observed.sum()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x, y = make_station_data()
    model = Forecaster()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)

    step = 0
    for epoch in range(args.epochs):
        for start in range(0, len(x), args.batch_size):
            xb = x[start:start + args.batch_size]
            yb = y[start:start + args.batch_size]
            pred = model(xb)
            loss = masked_mse(pred, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                w = model.net[0].weight
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} w0 {w.abs().mean().item():.4f}")
            step += 1
    print("finished", step, "steps")


if __name__ == "__main__":
    main()
