"""Wasserstein critic for feature-drift monitoring.

The critic is trained to separate last quarter's production feature vectors
from the reference (training-time) snapshot; its gap estimates the
Wasserstein-1 distance. The Lipschitz constraint is enforced with the WGAN-GP
gradient penalty on random interpolates.
"""
import torch
from torch import nn

DIM = 16
GP_WEIGHT = 10.0


class SnapshotPairs(torch.utils.data.Dataset):
    def __init__(self, n=1024, seed=17):
        g = torch.Generator().manual_seed(seed)
        self.reference = torch.randn(n, DIM, generator=g)
        shift = torch.linspace(0.0, 3.0, DIM)
        mix = torch.randn(DIM, DIM, generator=g) * 0.3
        self.production = torch.randn(n, DIM, generator=g) @ (torch.eye(DIM) + mix) + shift
        self.production[:, :4] *= 6.0

    def __len__(self):
        return len(self.reference)

    def __getitem__(self, i):
        return self.reference[i], self.production[i]


def build_model():
    return nn.Sequential(
        nn.Linear(DIM, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 1),
    )


def build_dataset():
    return SnapshotPairs()


def build_optimizer(params, lr):
    return torch.optim.Adam(params, lr=lr, betas=(0.5, 0.9))


def gradient_penalty(critic, real, fake):
    alpha = torch.rand(real.size(0), 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(mixed)
    grad, = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def compute_loss(model, batch):
    reference, production = batch
    gap = model(production).mean() - model(reference).mean()
    return {
        "wasserstein": -gap,
        "gradient_penalty": GP_WEIGHT * gradient_penalty(model, reference, production),
    }


NANWIZ = {"lr": 2e-3, "batch_size": 64, "steps": 300, "seed": 0}
