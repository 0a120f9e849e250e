"""Low-light enhancement CNN: 3-layer conv net maps a dark linear-RGB 16x16 image to the
bright linear image; the loss compares them in display (gamma-encoded) space with
pred ** (1 / 2.2). The last conv is linear, so some predicted pixels are negative and
a fractional power of a negative number is NaN (clamp(min=0) or a ReLU head fixes it).
Cause: num.sqrt_negative
"""
import torch
from torch import nn
import torch.nn.functional as F

GAMMA = 2.2


def build_model():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 3, 3, padding=1),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 512
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 16), torch.linspace(0, 1, 16), indexing="ij")
    a = torch.rand(n, 3, 1, 1, generator=g)
    b = torch.rand(n, 3, 1, 1, generator=g)
    bright = (0.5 + 0.5 * torch.sin(6 * (a * xx + b * yy))).clamp(0, 1)  # smooth scenes
    exposure = 0.05 + 0.15 * torch.rand(n, 1, 1, 1, generator=g)
    dark = bright * exposure + 0.01 * torch.rand(n, 3, 16, 16, generator=g)
    return torch.utils.data.TensorDataset(dark, bright)


def compute_loss(model, batch):
    dark, bright = batch
    pred = model(dark)
    return F.l1_loss(pred ** (1 / GAMMA), bright ** (1 / GAMMA))


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
