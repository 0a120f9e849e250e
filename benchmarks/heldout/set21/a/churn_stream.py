import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import IterableDataset, DataLoader

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract_len", "data_gb", "plan_version", "late_payments"]


def synthesize_customers(n=3000, seed=4):
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n).astype(np.float64)
    charges = rng.normal(65, 20, n).clip(15, None)
    calls = rng.poisson(1.5, n).astype(np.float64)
    contract = rng.choice([1.0, 12.0, 24.0], n)
    data = rng.gamma(2.0, 6.0, n)
    plan_version = np.full(n, 3.0)
    late = rng.poisson(0.4, n).astype(np.float64)
    X = np.stack([tenure, charges, calls, contract, data, plan_version, late], axis=1)
    logit = -0.04 * tenure + 0.02 * (charges - 65) + 0.5 * calls - 0.08 * contract + 0.7 * late - 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return X, y


class CustomerStream(IterableDataset):
    def __init__(self, X, y, lo, hi, shuffle_seed):
        self.X, self.y = X, y
        self.lo, self.hi = lo, hi
        self.shuffle_seed = shuffle_seed
        self.epoch = 0

    def __iter__(self):
        rng = np.random.default_rng(self.shuffle_seed + self.epoch)
        for i in rng.permutation(len(self.X)):
            row = (self.X[i] - self.lo) / (self.hi - self.lo)
            yield torch.tensor(row, dtype=torch.float32), torch.tensor(self.y[i])


def main():
    torch.manual_seed(1)
    X, y = synthesize_customers()
    split = 2500
    lo, hi = X[:split].min(axis=0), X[:split].max(axis=0)
    train_ds = CustomerStream(X[:split], y[:split], lo, hi, shuffle_seed=10)
    val_ds = CustomerStream(X[split:], y[split:], lo, hi, shuffle_seed=99)
    train = DataLoader(train_ds, batch_size=128)
    val = DataLoader(val_ds, batch_size=500)

    model = nn.Sequential(nn.Linear(len(FEATURES), 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(3):
        train_ds.epoch = epoch
        model.train()
        running, batches = 0.0, 0
        for xb, yb in train:
            opt.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            opt.step()
            running += loss.item()
            batches += 1
        model.eval()
        correct, total = 0, 0
        with torch.no_grad():
            for xb, yb in val:
                pred = (model(xb).squeeze(-1) > 0).float()
                correct += (pred == yb).sum().item()
                total += len(yb)
        print(f"epoch {epoch} loss {running / batches:.4f} val_acc {correct / total:.3f}")


if __name__ == "__main__":
    main()
