import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--accum", type=int, default=2)
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--clip", type=float, default=1.0)
args = parser.parse_args()

torch.manual_seed(31)

n, d = 2400, 16
X = torch.randn(n, d)
w = torch.randn(d) / 2
noise = torch.distributions.StudentT(df=1.5).sample((n,)) * 0.3
y = X @ w + torch.sin(X[:, 0] * 2) + noise

loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True)
model = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=len(loader) // args.accum, eta_min=1e-4)

update = 0
for epoch in range(args.epochs):
    worst, total = 0.0, 0.0
    for i, (xb, yb) in enumerate(loader):
        loss = nn.functional.mse_loss(model(xb).squeeze(-1), yb)
        (loss / args.accum).backward()
        worst = max(worst, loss.item())
        total += loss.item()
        if (i + 1) % args.accum == 0:
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            opt.zero_grad()
            sched.step()
            update += 1
            if update % 10 == 0:
                print(f"epoch {epoch} update {update:4d} lr {sched.get_last_lr()[0]:.4f} loss {loss.item():10.4f} grad_norm {gn.item():10.3f}")
    print(f"epoch {epoch} mean loss {total / len(loader):.4f} worst batch {worst:.1f}")
