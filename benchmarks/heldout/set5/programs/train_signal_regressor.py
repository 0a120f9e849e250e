import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

parser = argparse.ArgumentParser()
parser.add_argument("--n-train", type=int, default=1601)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--lr", type=float, default=2e-3)
args = parser.parse_args()

torch.manual_seed(11)


class SensorWindows(Dataset):
    def __init__(self, n, window=48):
        t = torch.linspace(0, 1, window)
        freq = torch.rand(n, 1) * 6 + 1
        phase = torch.rand(n, 1) * 6.28
        amp = torch.rand(n, 1) + 0.5
        self.x = amp * torch.sin(2 * 3.1416 * freq * t + phase) + 0.1 * torch.randn(n, window)
        self.y = (freq.squeeze(1) - 4) / 2 + 0.05 * torch.randn(n)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def pearson_loss(pred, target, eps=1e-6):
    pc = pred - pred.mean()
    tc = target - target.mean()
    cov = (pc * tc).mean()
    return 1 - cov / (pred.std() * target.std() + eps)


model = nn.Sequential(
    nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(),
    nn.Conv1d(16, 16, 5, padding=2), nn.ReLU(),
    nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(16, 1),
)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
loader = DataLoader(SensorWindows(args.n_train), batch_size=args.batch_size, shuffle=True)

for epoch in range(args.epochs):
    total, count = 0.0, 0
    for i, (xb, yb) in enumerate(loader):
        pred = model(xb.unsqueeze(1)).squeeze(1)
        loss = pearson_loss(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
        count += len(yb)
        if i % 15 == 0:
            print(f"epoch {epoch} batch {i:3d} loss {loss.item():.4f}")
    print(f"epoch {epoch} mean loss {total / count:.4f}")
