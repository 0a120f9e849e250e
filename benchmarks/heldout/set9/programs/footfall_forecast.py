import argparse

import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["temp", "humidity", "hour_sin", "hour_cos", "weekday", "promo"]


def make_period(n, promo_rate, gen):
    hour = torch.randint(8, 22, (n,), generator=gen).float()
    weekday = torch.randint(0, 7, (n,), generator=gen).float()
    temp = 12 + 8 * torch.randn(n, generator=gen)
    humidity = 0.6 + 0.15 * torch.randn(n, generator=gen)
    promo = (torch.rand(n, generator=gen) < promo_rate).float()
    x = torch.stack([
        temp, humidity,
        torch.sin(hour / 24 * 6.2832), torch.cos(hour / 24 * 6.2832),
        weekday, promo,
    ], dim=1)
    rate = torch.exp(2.0 + 0.03 * temp - 0.5 * humidity + 0.4 * torch.sin(hour / 24 * 6.2832)
                     + 0.1 * (weekday >= 5).float() + 0.6 * promo)
    y = torch.poisson(rate, generator=gen)
    return x, y


class FootfallNet(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.BatchNorm1d(n_in),
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def evaluate(model, loader):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            log_rate = model(x)
            total += F.poisson_nll_loss(log_rate, y, log_input=True, reduction="sum").item()
            count += len(y)
    return total / count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args()

    torch.manual_seed(7)
    gen = torch.Generator().manual_seed(7)
    x_train, y_train = make_period(2048, 0.0, gen)
    x_val, y_val = make_period(512, 0.25, gen)

    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=256)

    model = FootfallNet(len(FEATURES))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        model.train()
        running = 0.0
        for x, y in train_loader:
            optimizer.zero_grad()
            log_rate = model(x)
            loss = F.poisson_nll_loss(log_rate, y, log_input=True)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(y)
        train_loss = running / len(x_train)
        val_loss = evaluate(model, val_loader)
        print(f"epoch {epoch + 1}: train_poisson_nll={train_loss:.4f} val_poisson_nll={val_loss:.4f}")


if __name__ == "__main__":
    main()
