import argparse
import numpy as np
import torch
import torch.nn as nn


def build_windows(n_series=48, length=400, window=32, horizon=4, seed=0):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for s in range(n_series):
        t = np.arange(length)
        base = 1013.25 + rng.normal(0, 4)
        series = base + 3.0 * np.sin(2 * np.pi * t / rng.uniform(40, 90)) + rng.normal(0, 0.3, length)
        if s % 11 == 5:
            start = rng.integers(50, length - 120)
            series[start:start + 90] = series[start] + rng.choice([0.0, 0.01], size=90, p=[0.9, 0.1])
        series = np.round(series, 2)
        for i in range(0, length - window - horizon, 6):
            xs.append(series[i:i + window])
            ys.append(series[i + window:i + window + horizon])
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.float32)


class WindowNorm(nn.Module):
    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = (x * x).mean(dim=-1, keepdim=True) - mean * mean
        std = torch.sqrt(var + self.eps)
        return (x - mean) / std, mean, std


class Forecaster(nn.Module):
    def __init__(self, window, horizon, hidden):
        super().__init__()
        self.norm = WindowNorm()
        self.net = nn.Sequential(nn.Linear(window, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                                 nn.Linear(hidden, horizon))

    def forward(self, x):
        z, mean, std = self.norm(x)
        return self.net(z) * std + mean


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=5e-3)
    p.add_argument("--hidden", type=int, default=64)
    args = p.parse_args()

    torch.manual_seed(0)
    x_np, y_np = build_windows()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    n_train = int(0.8 * len(x))
    model = Forecaster(x.shape[1], y.shape[1], args.hidden)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(n_train)
        total = 0.0
        for start in range(0, n_train, args.batch_size):
            idx = perm[start:start + args.batch_size]
            pred = model(x[idx])
            loss = nn.functional.l1_loss(pred, y[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += loss.item() * len(idx)
            step += 1
        with torch.no_grad():
            val = nn.functional.l1_loss(model(x[n_train:]), y[n_train:]).item()
        print(f"epoch {epoch} steps {step} train_mae {total / n_train:.4f} val_mae {val:.4f}")


if __name__ == "__main__":
    main()
