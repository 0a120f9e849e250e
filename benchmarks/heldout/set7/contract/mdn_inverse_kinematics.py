"""Mixture density network for a one-to-many inverse problem: from the measured
end-effector offset x of a one-joint arm, predict the joint angle (degrees)."""
import math
import torch
from torch import nn


K = 5


class MDN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, K)
        self.mu = nn.Linear(hidden, K)
        self.log_sigma = nn.Linear(hidden, K)

    def forward(self, x):
        h = self.body(x)
        return torch.softmax(self.pi(h), -1), self.mu(h), torch.exp(self.log_sigma(h))


def build_model():
    return MDN()


def build_dataset():
    g = torch.Generator().manual_seed(1)
    n = 2500
    angle = torch.empty(n, 1).uniform_(-105.0, 105.0, generator=g)
    r = angle / 10.0
    x = torch.sin(0.75 * r) * 7.0 + r * 0.5 + 0.3 * torch.randn(n, 1, generator=g)
    return torch.utils.data.TensorDataset(x / 10.0, angle)


def gaussian_pdf(y, mu, sigma):
    return torch.exp(-0.5 * ((y - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def mdn_nll(pi, mu, sigma, y):
    likelihood = (pi * gaussian_pdf(y, mu, sigma)).sum(-1)
    return -torch.log(likelihood).mean()


def compute_loss(model, batch):
    x, y = batch
    pi, mu, sigma = model(x)
    return mdn_nll(pi, mu, sigma, y)


NANWIZ = {"lr": 1e-2, "batch_size": 64, "steps": 300, "seed": 0}
