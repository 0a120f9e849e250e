import argparse
import numpy as np
import torch
import torch.nn as nn


FEATURES = ["tenure_months", "monthly_charges", "total_charges", "support_calls",
            "contract_type", "plan_version", "num_devices", "late_payments"]


def make_frame(n_rows, rng):
    cols = {}
    cols["tenure_months"] = rng.integers(1, 72, n_rows).astype(np.float64)
    cols["monthly_charges"] = rng.normal(65.0, 20.0, n_rows).clip(18, 120)
    cols["total_charges"] = cols["tenure_months"] * cols["monthly_charges"]
    cols["support_calls"] = rng.poisson(1.5, n_rows).astype(np.float64)
    cols["contract_type"] = rng.integers(0, 3, n_rows).astype(np.float64)
    cols["plan_version"] = np.full(n_rows, 3.0)
    cols["num_devices"] = rng.integers(1, 6, n_rows).astype(np.float64)
    cols["late_payments"] = rng.poisson(0.7, n_rows).astype(np.float64)
    logit = (-0.04 * cols["tenure_months"] + 0.02 * cols["monthly_charges"]
             + 0.5 * cols["support_calls"] - 0.6 * cols["contract_type"]
             + 0.4 * cols["late_payments"] - 0.5)
    churn = (rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float64)
    return cols, churn


def standardize(table, stats=None):
    if stats is None:
        mean = table.mean(axis=0)
        std = table.std(axis=0)
        stats = (mean, std)
    mean, std = stats
    return (table - mean) / std, stats


class ChurnNet(nn.Module):
    def __init__(self, n_in, hidden=32):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    torch.manual_seed(7)
    cols, churn = make_frame(args.rows, rng)
    table = np.stack([cols[name] for name in FEATURES], axis=1)
    split = int(0.8 * len(table))
    x_train, stats = standardize(table[:split])
    x_valid, _ = standardize(table[split:], stats)

    xt = torch.tensor(x_train, dtype=torch.float32)
    yt = torch.tensor(churn[:split], dtype=torch.float32)
    xv = torch.tensor(x_valid, dtype=torch.float32)
    yv = torch.tensor(churn[split:], dtype=torch.float32)

    model = ChurnNet(xt.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.BCEWithLogitsLoss()

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(xt))
        model.train()
        running = 0.0
        for start in range(0, len(xt), args.batch_size):
            idx = perm[start:start + args.batch_size]
            logits = model(xt[idx])
            loss = loss_fn(logits, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            if step % 10 == 0:
                print(f"step {step} loss {loss.item():.4f}")
            step += 1
        model.eval()
        with torch.no_grad():
            v_logits = model(xv)
            v_loss = loss_fn(v_logits, yv).item()
            acc = ((v_logits > 0).float() == yv).float().mean().item()
        print(f"epoch {epoch} train {running / max(1, len(xt) // args.batch_size):.4f} "
              f"valid {v_loss:.4f} acc {acc:.3f}")


if __name__ == "__main__":
    main()
