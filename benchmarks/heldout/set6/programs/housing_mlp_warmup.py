import argparse
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def load_housing(n=8192, seed=0):
    """Synthetic stand-in for a block-group housing table (8 standardised features)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    value = (2.0 + 0.8 * x[:, 0] + 0.3 * x[:, 1] - 0.4 * x[:, 2] * x[:, 3]
             + 0.5 * torch.relu(x[:, 4]) + 0.1 * torch.randn(n, generator=g))
    return x, value.unsqueeze(1)


def warmup_cosine(warmup_steps, total_steps):
    def f(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * progress))
    return f


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--base-lr", type=float, default=0.6, help="lr for a batch of 64, scaled linearly")
    p.add_argument("--warmup-steps", type=int, default=60)
    args = p.parse_args()

    torch.manual_seed(0)
    x, y = load_housing()
    train = DataLoader(TensorDataset(x[:7168], y[:7168]), batch_size=args.batch_size, shuffle=True,
                       generator=torch.Generator().manual_seed(0))
    vx, vy = x[7168:], y[7168:]

    model = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    lr = args.base_lr * args.batch_size / 64
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    total = args.epochs * len(train)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(args.warmup_steps, total))
    criterion = nn.MSELoss()
    print(f"peak lr {lr:.3f}, {total} steps, warmup {args.warmup_steps}")

    step = 0
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train:
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            if step % 5 == 0:
                print(f"step {step:3d} lr {scheduler.get_last_lr()[0]:.4f} train mse {loss.item():.4f}")
            step += 1
        model.eval()
        with torch.no_grad():
            print(f"== epoch {epoch} val mse {criterion(model(vx), vy).item():.4f}")


if __name__ == "__main__":
    main()
