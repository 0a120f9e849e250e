import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


def make_trips(n):
    distance_km = rng.gamma(2.0, 3.0, size=n)
    wait_s = np.round(rng.exponential(150.0, size=n))
    hour = rng.integers(0, 24, size=n)
    passengers = rng.integers(1, 5, size=n)
    fare = 2.5 + 1.2 * distance_km + 0.01 * wait_s + rng.normal(0, 0.5, size=n)
    feats = np.stack([
        np.log(distance_km),
        np.log(wait_s),
        np.sin(2 * np.pi * hour / 24),
        np.cos(2 * np.pi * hour / 24),
        passengers / 4.0,
    ], axis=1)
    return feats.astype(np.float32), fare.astype(np.float32)


class TripDataset(Dataset):
    def __init__(self, n):
        self.x, self.y = make_trips(n)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), torch.tensor(self.y[i])


ds = TripDataset(2000)
loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True)

model = nn.Sequential(nn.Linear(5, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
loss_fn = nn.MSELoss()

step = 0
for epoch in range(args.epochs):
    for xb, yb in loader:
        pred = model(xb).squeeze(-1)
        loss = loss_fn(pred, yb)
        opt.zero_grad()
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        if step % 20 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} grad_norm {gn.item():.3f}")
        step += 1
    print(f"epoch {epoch} done, last loss {loss.item():.4f}")
