import argparse
import math
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def parse_args():
    p = argparse.ArgumentParser(description="Day-ahead electricity load forecaster")
    p.add_argument("--history", type=int, default=48)
    p.add_argument("--horizon", type=int, default=24)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--smooth-weight", type=float, default=0.1,
                   help="weight of the curvature penalty on the forecast curve")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def make_series(hours=24 * 90, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(hours, dtype=torch.float32)
    daily = torch.sin(2 * math.pi * t / 24)
    weekly = 0.4 * torch.sin(2 * math.pi * t / (24 * 7))
    return daily + weekly + 0.1 * torch.randn(hours, generator=g)


def windows(series, history, horizon):
    n = len(series) - history - horizon
    idx = torch.arange(n)[:, None]
    X = series[idx + torch.arange(history)]
    Y = series[idx + history + torch.arange(horizon)]
    return X, Y


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    X, Y = windows(make_series(seed=args.seed), args.history, args.horizon)
    loader = DataLoader(TensorDataset(X, Y), batch_size=args.batch_size, shuffle=True)

    model = nn.Sequential(nn.Linear(args.history, 128), nn.ReLU(), nn.Linear(128, args.horizon))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(loader))

    step = 0
    for epoch in range(args.epochs):
        for xb, yb in loader:
            pred = model(xb)
            curvature = pred[:, 2:] - 2 * pred[:, 1:-1] + pred[:, :-2]
            smooth = (curvature ** 2).mean()
            fit = nn.functional.mse_loss(pred, yb)
            loss = fit + args.smooth_weight * smooth
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step:4d}  fit {fit.item():.4f}  smooth {smooth.item():.4f}  "
                      f"lr {scheduler.get_last_lr()[0]:.5f}")
            step += 1


if __name__ == "__main__":
    main()
