"""Tabular churn classifier: a 3-layer MLP on 12 numeric customer features.

A handful of rows came out of the CSV export with NaN (missing value) or Inf
(a ratio feature divided by a zero denominator); nothing filters them out.
Cause: data.nonfinite_input
"""
import torch
from torch import nn
import torch.nn.functional as F

N_FEATURES = 12


def build_model():
    return nn.Sequential(
        nn.Linear(N_FEATURES, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 2),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 2000
    x = torch.randn(n, N_FEATURES, generator=g)
    w = torch.randn(N_FEATURES, generator=g)
    y = ((x @ w + 0.3 * torch.randn(n, generator=g)) > 0).long()
    # "spend_per_visit" = spend / visits, and visits can be 0 in the raw export
    visits = torch.randint(0, 20, (n,), generator=g).float()
    visits[visits == 0] = 1.0
    visits[[311, 1207]] = 0.0
    x[:, 5] = x[:, 5].abs() / visits
    # two rows with a missing "tenure" value parsed as NaN
    x[[874, 1650], 2] = float("nan")
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
