import argparse
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class HourlyRentals(Dataset):
    """Synthetic hourly bike-share counts with weather and calendar features."""

    def __init__(self, n=2000, seed=0):
        g = torch.Generator().manual_seed(seed)
        hour = torch.randint(0, 24, (n,), generator=g).float()
        temp = torch.randn(n, generator=g) * 8 + 15
        humidity = torch.rand(n, generator=g)
        workday = torch.randint(0, 2, (n,), generator=g).float()
        rush = torch.exp(-((hour - 8) ** 2) / 4) + torch.exp(-((hour - 17) ** 2) / 4)
        night = ((hour < 5) | (hour > 22)).float()
        log_rate = 1.5 + 1.2 * rush * (0.5 + workday) + 0.04 * temp - 1.0 * humidity - 2.5 * night
        self.y = torch.poisson(torch.exp(log_rate), generator=g)
        self.x = torch.stack([
            torch.sin(2 * math.pi * hour / 24), torch.cos(2 * math.pi * hour / 24),
            (temp - 15) / 8, humidity, workday, night,
        ], dim=1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class RateModel(nn.Module):
    def __init__(self, d_in=6, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return torch.exp(self.net(x).squeeze(-1))


def poisson_deviance(mu, y):
    # y * log(y / mu) is taken as 0 when y == 0
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return (2 * (term - (y - mu))).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    ds = HourlyRentals()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, generator=torch.Generator().manual_seed(1))
    model = RateModel()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        total = 0.0
        for x, y in loader:
            mu = model(x)
            loss = poisson_deviance(mu, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} deviance {loss.item():.4f}")
            step += 1
        print(f"epoch {epoch} mean deviance {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
