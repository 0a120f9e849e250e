import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class BuildingLoad(Dataset):
    """Hourly building energy load from weather + occupancy features (standardised)."""

    def __init__(self, n=4096, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, 12, generator=g)
        w = torch.randn(12, generator=g) * 0.5
        load = self.x @ w + 0.3 * torch.sin(2 * self.x[:, 0]) + 0.2 * self.x[:, 1] * self.x[:, 2]
        self.y = (load + 0.1 * torch.randn(n, generator=g)).unsqueeze(1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--micro-batch", type=int, default=32)
    p.add_argument("--accum-steps", type=int, default=4)
    p.add_argument("--lr", type=float, default=0.03)
    args = p.parse_args()

    torch.manual_seed(0)
    loader = DataLoader(BuildingLoad(), batch_size=args.micro_batch, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    criterion = nn.MSELoss()

    opt_step = 0
    for epoch in range(args.epochs):
        model.train()
        optimizer.zero_grad()
        window_loss = 0.0
        for i, (x, y) in enumerate(loader):
            loss = criterion(model(x), y) / args.accum_steps
            loss.backward()
            window_loss += loss.item()
            if (i + 1) % args.accum_steps == 0:
                optimizer.step()
                if opt_step % 10 == 0:
                    print(f"epoch {epoch} update {opt_step:4d} loss {window_loss:.5f}")
                window_loss = 0.0
                opt_step += 1
        print(f"== epoch {epoch} done, {opt_step} updates")


if __name__ == "__main__":
    main()
