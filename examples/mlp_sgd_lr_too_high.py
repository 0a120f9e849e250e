"""Wine-quality style regression: MLP on 11 standardized physico-chemical features.

Inputs and target are properly standardized, but plain SGD runs with lr=0.5
(copied from a logistic-regression baseline); the loss grows every step and overflows.
Cause: optim.lr_too_high
"""
import torch
from torch import nn
import torch.nn.functional as F


def build_model():
    return nn.Sequential(
        nn.Linear(11, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1)
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1500
    x = torch.randn(n, 11, generator=g)
    w = torch.randn(11, generator=g)
    y = torch.tanh(x @ w / 3) + 0.5 * x[:, 0] * x[:, 1] + 0.1 * torch.randn(n, generator=g)
    y = (y - y.mean()) / y.std()
    return torch.utils.data.TensorDataset(x, y.unsqueeze(1))


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 0.5, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
