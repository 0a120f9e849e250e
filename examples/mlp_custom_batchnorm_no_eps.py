"""Credit-scoring MLP with a hand-written batch normalization layer (no eps, batch
statistics only). The dataset has 32*31 + 1 rows and the DataLoader keeps the last
partial batch, so once per epoch a batch of 1 arrives: its variance is 0 and
(x - mean) / sqrt(var) = 0/0 = NaN. (nn.BatchNorm1d would add eps=1e-5.)
Cause: arch.norm_zero_variance
"""
import torch
from torch import nn
import torch.nn.functional as F


class SimpleBatchNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mean = x.mean(dim=0, keepdim=True)
        var = x.var(dim=0, unbiased=False, keepdim=True)
        return self.gamma * (x - mean) / torch.sqrt(var) + self.beta


def build_model():
    return nn.Sequential(
        nn.Linear(16, 64), SimpleBatchNorm(64), nn.ReLU(),
        nn.Linear(64, 64), SimpleBatchNorm(64), nn.ReLU(),
        nn.Linear(64, 2),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 32 * 31 + 1
    x = torch.randn(n, 16, generator=g)
    score = x[:, 0] - 0.5 * x[:, 1] + 0.3 * x[:, 2] * x[:, 3]
    y = (score + 0.3 * torch.randn(n, generator=g) > 0).long()
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 100, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
