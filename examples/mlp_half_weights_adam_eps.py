"""Tabular MLP trained entirely in half precision (model.half(), no autocast/GradScaler)
with torch.optim.Adam's default eps=1e-8. In fp16 that eps rounds to 0 and grad**2 of
small gradients underflows to 0, so m / (sqrt(v) + eps) divides by 0 in the optimizer step.
Cause: optim.eps_too_small
"""
import torch
from torch import nn
import torch.nn.functional as F


def build_model():
    model = nn.Sequential(
        nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 3)
    )
    return model.half()  # "halve the memory": weights, grads and Adam state all fp16


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 2000
    x = torch.randn(n, 20, generator=g)
    w = torch.randn(20, 3, generator=g)
    y = (x @ w + 0.5 * torch.randn(n, 3, generator=g)).argmax(1)
    return torch.utils.data.TensorDataset(x, y)


def build_optimizer(params, lr):
    return torch.optim.Adam(params, lr=lr, eps=1e-8)


def compute_loss(model, batch):
    x, y = batch
    logits = model(x.half())
    return F.cross_entropy(logits.float(), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
