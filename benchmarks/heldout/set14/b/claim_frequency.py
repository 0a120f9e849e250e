"""Claim frequency model for a motor insurance portfolio (Poisson deviance)."""
import argparse
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_portfolio(n_policies, gen):
    driver_age = torch.randint(18, 80, (n_policies,), generator=gen).float()
    vehicle_power = torch.randint(4, 15, (n_policies,), generator=gen).float()
    density = torch.rand(n_policies, generator=gen) * 5.0
    bonus_malus = torch.randint(50, 150, (n_policies,), generator=gen).float()
    exposure = torch.rand(n_policies, generator=gen) * 0.9 + 0.1
    true_rate = torch.exp(
        -2.3 + 0.015 * (bonus_malus - 100) + 0.2 * density - 0.01 * (driver_age - 45)
    )
    claims = torch.poisson(true_rate * exposure, generator=gen)
    features = torch.stack(
        [
            (driver_age - 45) / 15,
            (vehicle_power - 9) / 3,
            (density - 2.5) / 1.5,
            (bonus_malus - 100) / 30,
        ],
        dim=1,
    )
    return features, exposure, claims


class FrequencyNet(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 1)
        )

    def forward(self, x, exposure):
        log_rate = self.body(x).squeeze(-1)
        return torch.exp(log_rate) * exposure


def poisson_deviance(mu, y):
    unit = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(mu)) - (y - mu)
    return 2.0 * unit.mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args()

    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    x, exposure, claims = make_portfolio(4000, gen)
    print(f"policies {len(claims)}  mean claims {claims.mean():.3f}  zero-claim share {(claims == 0).float().mean():.2f}")
    loader = DataLoader(TensorDataset(x, exposure, claims), batch_size=128, shuffle=True)

    model = FrequencyNet(x.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(args.epochs):
        total = 0.0
        for xb, eb, yb in loader:
            mu = model(xb, eb)
            loss = poisson_deviance(mu, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        print(f"epoch {epoch}: mean deviance {total / len(claims):.4f}")


if __name__ == "__main__":
    main()
