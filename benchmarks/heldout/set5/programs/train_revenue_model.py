import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--lr", type=float, default=0.05)
args = parser.parse_args()

torch.manual_seed(99)


class StoreMonths(Dataset):
    def __init__(self, n=1500):
        self.x = torch.randn(n, 10)
        w = torch.tensor([3.0, -1.0, 2.0, 0.5, 0.0, 1.5, -2.0, 0.3, 0.8, -0.4])
        self.revenue = 2.5e6 + 4e5 * (self.x @ w) + 2e5 * torch.randn(n)

    def __len__(self):
        return len(self.revenue)

    def __getitem__(self, i):
        return self.x[i], self.revenue[i]


loader = DataLoader(StoreMonths(), batch_size=args.batch_size, shuffle=True)
model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
loss_fn = nn.MSELoss()

for epoch in range(args.epochs):
    total = 0.0
    for i, (x, y) in enumerate(loader):
        pred = model(x).squeeze(-1)
        loss = loss_fn(pred, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
        if i % 8 == 0:
            print(f"epoch {epoch} batch {i:2d}  mse {loss.item():.4e}")
    print(f"epoch {epoch} mean mse {total / len(loader):.4e}  rmse ${(total / len(loader)) ** 0.5:,.0f}")
