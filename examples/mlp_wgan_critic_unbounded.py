"""WGAN critic (MLP, LeakyReLU) on 8-Gaussians toy data vs. a frozen generator's samples,
Wasserstein loss D(fake).mean() - D(real).mean(), no weight clipping or gradient penalty.
Nothing bounds the critic: activations climb (and the loss falls towards -inf) step over
step until they overflow; bounded activations (ReLU6) or weight clipping keep it finite.
Cause: arch.unbounded_activation
"""
import math
import torch
from torch import nn


def build_model():
    return nn.Sequential(
        nn.Linear(2, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 1),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 2048
    angles = torch.arange(8) * math.pi / 4
    centers = 2 * torch.stack([angles.cos(), angles.sin()], dim=1)
    real = centers[torch.randint(0, 8, (n,), generator=g)] + 0.05 * torch.randn(n, 2, generator=g)
    fake = 0.5 * torch.randn(n, 2, generator=g)        # samples of the (frozen) generator
    return torch.utils.data.TensorDataset(real, fake)


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr)


def compute_loss(model, batch):
    real, fake = batch
    return model(fake).mean() - model(real).mean()     # Wasserstein critic loss


NANWIZ = {"lr": 3e-2, "batch_size": 64, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
