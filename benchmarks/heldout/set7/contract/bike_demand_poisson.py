"""Hourly bike-rental demand per station, modelled as a Poisson count regression.

Trained on the Poisson deviance, which is the metric we report to the ops team.
"""
import math
import torch
from torch import nn
import torch.nn.functional as F


N_FEATURES = 12


class DemandNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(N_FEATURES, 64), nn.ReLU(),
            nn.Linear(64, 64), nn.ReLU(),
        )
        self.rate = nn.Linear(64, 1)

    def forward(self, x):
        # log-link keeps the predicted rate positive
        return torch.exp(self.rate(self.body(x))).squeeze(-1)


def build_model():
    return DemandNet()


def build_dataset():
    g = torch.Generator().manual_seed(7)
    n = 2048
    hour = torch.randint(0, 24, (n,), generator=g).float()
    weekday = torch.randint(0, 7, (n,), generator=g).float()
    temp = 15 + 8 * torch.randn(n, generator=g)
    rain = (torch.rand(n, generator=g) < 0.2).float()
    extra = torch.randn(n, N_FEATURES - 6, generator=g)
    x = torch.stack([
        torch.sin(2 * math.pi * hour / 24), torch.cos(2 * math.pi * hour / 24),
        weekday / 6, (temp - 15) / 8, rain, (weekday >= 5).float(),
    ], dim=1)
    x = torch.cat([x, extra], dim=1)
    log_rate = 0.8 + 1.2 * x[:, 1] - 1.5 * rain + 0.3 * x[:, 3]
    y = torch.poisson(torch.exp(log_rate), generator=g)   # plenty of quiet hours with 0 rentals
    return torch.utils.data.TensorDataset(x, y)


def poisson_deviance(mu, y):
    # y * log(y / mu) is defined as 0 when y == 0
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return 2 * (term - (y - mu)).mean()


def compute_loss(model, batch):
    x, y = batch
    mu = model(x)
    return poisson_deviance(mu, y)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 150, "seed": 0}
