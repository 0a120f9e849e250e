import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--micro-batch", type=int, default=16)
parser.add_argument("--accum", type=int, default=4)
parser.add_argument("--lr", type=float, default=0.05)
args = parser.parse_args()

torch.manual_seed(123)

N_CLASSES = 6
n = 2048
centers = torch.randn(N_CLASSES, 20) * 1.5
labels = torch.randint(0, N_CLASSES, (n,))
feats = centers[labels] + torch.randn(n, 20)

loader = DataLoader(TensorDataset(feats, labels), batch_size=args.micro_batch, shuffle=True, drop_last=True)

model = nn.Sequential(
    nn.Linear(20, 128), nn.GELU(),
    nn.Linear(128, 128), nn.GELU(),
    nn.Linear(128, N_CLASSES),
)
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
scaler = torch.amp.GradScaler("cpu")

update = 0
for epoch in range(args.epochs):
    optimizer.zero_grad()
    for i, (x, y) in enumerate(loader):
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            logits = model(x)
            loss = F.cross_entropy(logits, y)
        scaler.scale(loss / args.accum).backward()

        if (i + 1) % args.accum == 0:
            optimizer.step()
            optimizer.zero_grad()
            update += 1
            if update <= 3 or update % 4 == 0:
                acc = (logits.argmax(-1) == y).float().mean()
                print(f"epoch {epoch} update {update:3d} loss {loss.item():.4f} acc {acc.item():.2f}")
