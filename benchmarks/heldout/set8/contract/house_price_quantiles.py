"""Prediction intervals for house sale prices: one network, three quantile
heads (P10 / P50 / P90), trained with the pinball loss directly in dollars."""
import torch
from torch import nn

QUANTILES = torch.tensor([0.1, 0.5, 0.9])


class Sales(torch.utils.data.Dataset):
    def __init__(self, n=1500, seed=23):
        g = torch.Generator().manual_seed(seed)
        sqft = 600 + 3400 * torch.rand(n, generator=g)
        beds = torch.randint(1, 6, (n,), generator=g).float()
        year = torch.randint(1920, 2023, (n,), generator=g).float()
        lot = 2000 + 20000 * torch.rand(n, generator=g)
        dist = 40 * torch.rand(n, generator=g)
        price = 90 * sqft + 15000 * beds + 800 * (year - 1920) + 4 * lot - 6000 * dist
        price = price * torch.exp(0.25 * torch.randn(n, generator=g))
        self.x = torch.stack([sqft / 1000, beds, (year - 1970) / 30, lot / 10000, dist / 10], 1)
        self.price = price

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.price[i]


class QuantileNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(5, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.head = nn.Linear(64, len(QUANTILES))

    def forward(self, x):
        return self.head(self.body(x))


def build_model():
    return QuantileNet()


def build_dataset():
    return Sales()


def pinball(pred, target):
    diff = target[:, None] - pred
    return torch.where(diff >= 0, QUANTILES * diff, (QUANTILES - 1) * diff).mean()


def compute_loss(model, batch):
    x, price = batch
    return pinball(model(x), price)


NANWIZ = {"lr": 0.05, "batch_size": 64, "steps": 300, "seed": 0}
