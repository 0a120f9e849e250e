import argparse

import torch
from torch import nn


def make_sales_table(n_stores=48, n_weeks=20, n_feat=12, seed=3):
    g = torch.Generator().manual_seed(seed)
    feats = torch.randn(n_stores * n_weeks, n_feat, generator=g)
    base = 40.0 + 25.0 * torch.rand(n_stores * n_weeks, generator=g)
    units = base * torch.exp(0.3 * feats[:, :3].sum(1) / 3.0)
    units = units.round()
    # weeks where the store was closed for renovation
    closed = torch.tensor([77, 318, 604, 851])
    units[closed] = 0.0
    return feats, units


class DemandNet(nn.Module):
    def __init__(self, n_feat, hidden=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_feat, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return nn.functional.softplus(self.body(x)).squeeze(-1) + 1.0


def log_accuracy_ratio(pred, units):
    open_week = units > 0
    ratio = torch.where(open_week, torch.log(pred / units), torch.zeros_like(pred))
    return (ratio ** 2).sum() / open_week.sum().clamp_min(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    feats, units = make_sales_table()
    n = feats.shape[0]
    n_train = int(0.8 * n)
    x_tr, y_tr = feats[:n_train], units[:n_train]
    x_va, y_va = feats[n_train:], units[n_train:]

    model = DemandNet(feats.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    g = torch.Generator().manual_seed(1)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n_train, generator=g)
        for i in range(0, n_train, args.batch_size):
            idx = perm[i:i + args.batch_size]
            xb, yb = x_tr[idx], y_tr[idx]
            pred = model(xb)
            loss = log_accuracy_ratio(pred, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1

        model.eval()
        with torch.no_grad():
            val = log_accuracy_ratio(model(x_va), y_va)
        print(f"epoch {epoch} val log-ratio {val.item():.4f}")


if __name__ == "__main__":
    main()
