"""House-price regression MLP (SGD with momentum) fed raw units: sqft (~2000), lot size
(~8000), year built (~1970), distance in metres, never standardized, so first-layer
gradients are ~1e3-1e4x those of z-scored inputs (the author already cut lr to 1e-7).
Cause: data.unnormalized_input
"""
import torch
from torch import nn
import torch.nn.functional as F


def build_model():
    return nn.Sequential(
        nn.Linear(5, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 2000
    sqft = torch.normal(2000.0, 600.0, (n,), generator=g).clamp(min=400)
    lot = torch.normal(8000.0, 3000.0, (n,), generator=g).clamp(min=1000)
    year = torch.randint(1900, 2021, (n,), generator=g).float()
    rooms = torch.randint(1, 7, (n,), generator=g).float()
    dist_m = torch.rand(n, generator=g) * 30000
    x = torch.stack([sqft, lot, year, rooms, dist_m], dim=1)  # raw units, not standardized
    price_k = 0.15 * sqft + 0.005 * lot + 0.8 * (year - 1900) + 10 * rooms - 0.004 * dist_m
    price_k = price_k + torch.normal(0.0, 20.0, (n,), generator=g)  # target in $1000s
    return torch.utils.data.TensorDataset(x, price_k.unsqueeze(1))


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-7, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
