import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--max-lr", type=float, default=1.0)
parser.add_argument("--momentum", type=float, default=0.9)
args = parser.parse_args()

torch.manual_seed(2024)

n, d = 3000, 12
X = torch.randn(n, d)
w_true = torch.randn(d)
y = X @ w_true + 0.5 * torch.sin(3 * X[:, 0]) + 0.3 * X[:, 1] * X[:, 2] + 0.1 * torch.randn(n)
X = (X - X.mean(0)) / X.std(0)
y = (y - y.mean()) / y.std()

loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True)
model = nn.Sequential(nn.Linear(d, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
opt = torch.optim.SGD(model.parameters(), lr=args.max_lr / 25, momentum=args.momentum)
sched = torch.optim.lr_scheduler.OneCycleLR(
    opt, max_lr=args.max_lr, epochs=args.epochs, steps_per_epoch=len(loader), pct_start=0.3
)
loss_fn = nn.MSELoss()

step = 0
for epoch in range(args.epochs):
    for xb, yb in loader:
        loss = loss_fn(model(xb).squeeze(-1), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step:4d} lr {sched.get_last_lr()[0]:.4f} loss {loss.item():.5g}")
        step += 1
