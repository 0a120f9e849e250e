"""Store-demand MLP trained on a hand-written Poisson deviance, 2 * (y log(y / mu) - (y - mu)).
y log(y / mu) is 0 when y = 0, so the author guards it with torch.where(y > 0, ..., 0). The
forward pass is finite, but the backward still differentiates log(y / mu) on the zero-sales
days the where did not select: 0 * (1 / 0) = NaN in every weight after the first step.
Cause: num.where_masked_grad
"""
import torch
from torch import nn
import torch.nn.functional as F


def build_model():
    return nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1536
    x = torch.randn(n, 10, generator=g)                       # price, promo, weekday, weather...
    rate = torch.exp(0.4 * x[:, 0] - 0.3 * x[:, 1] + 0.2 * x[:, 2] + 0.5)
    y = torch.poisson(rate, generator=g)                      # units sold; ~20% of days sell 0
    return torch.utils.data.TensorDataset(x, y.unsqueeze(1))


def poisson_deviance(mu, y):
    ratio_term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))   # "safe" at y = 0
    return (2 * (ratio_term - (y - mu))).mean()


def compute_loss(model, batch):
    x, y = batch
    mu = F.softplus(model(x)) + 1e-3                          # predicted rate > 0
    return poisson_deviance(mu, y)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 150, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
