import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def load_fault_table(n=512, d=24, n_codes=16, seed=0):
    """Lookup table: controller register snapshot -> fault code (every row is distinct)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    proj = torch.randn(d, n_codes, generator=g)
    y = (x @ proj).argmax(1)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-2)
    args = ap.parse_args()

    torch.manual_seed(0)
    x, y = load_fault_table()
    model = nn.Sequential(nn.Linear(x.shape[1], 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 16))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=15, gamma=0.7)

    for epoch in range(args.epochs):
        perm = torch.randperm(len(x))
        epoch_loss, skipped = 0.0, 0
        for i in range(0, len(x), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            if torch.isnan(loss):
                skipped += 1
                continue
            opt.zero_grad()
            loss.backward()
            opt.step()
            epoch_loss += loss.item() * len(idx)
        sched.step()
        with torch.no_grad():
            acc = (model(x).argmax(1) == y).float().mean().item()
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:3d} loss {epoch_loss / len(x):.6f} acc {acc:.4f} skipped {skipped}")


if __name__ == "__main__":
    main()
