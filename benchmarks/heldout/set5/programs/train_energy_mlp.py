import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--batch-size", type=int, default=50)
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

torch.manual_seed(args.seed)

# building features: insulation, window area, orientation, floor area, occupants, ...
n = 1000
X = torch.randn(n, 8)
heat_load = 2.0 * X[:, 0] - 1.5 * X[:, 1] + 0.8 * X[:, 2] * X[:, 3] + torch.tanh(X[:, 4]) + 0.1 * torch.randn(n)
Y = heat_load.unsqueeze(1)

model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
criterion = nn.MSELoss()

optimizer.zero_grad()
for epoch in range(args.epochs):
    perm = torch.randperm(n)
    epoch_loss = 0.0
    for i in range(0, n, args.batch_size):
        idx = perm[i:i + args.batch_size]
        pred = model(X[idx])
        loss = criterion(pred, Y[idx])
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(idx)
        if (i // args.batch_size) % 5 == 0:
            print(f"  batch {i // args.batch_size:2d}  loss {loss.item():.5g}")
    print(f"epoch {epoch + 1:2d}/{args.epochs}  train_mse {epoch_loss / n:.5g}")
