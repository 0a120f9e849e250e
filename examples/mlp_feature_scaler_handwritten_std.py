"""Insurance-claim MLP with a 'FeatureScaler' module that standardizes each batch by hand:
(x - mean) / sqrt(mean((x - mean)^2)), no eps, no var/std call. Two of the inputs are rare
one-hot flags (a few % of policies); in most batches of 16 such a flag is 0 for every row, so
its batch std is 0 and the column becomes 0 / 0 = NaN. A normalization without eps (the module's
name and the hand-written variance hide it), not a plain division by zero.
Cause: arch.norm_zero_variance
"""
import torch
from torch import nn
import torch.nn.functional as F


class FeatureScaler(nn.Module):
    def forward(self, x):
        centered = x - x.mean(dim=0, keepdim=True)
        spread = centered.pow(2).mean(dim=0, keepdim=True).sqrt()
        return centered / spread


def build_model():
    return nn.Sequential(FeatureScaler(), nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1280
    x = torch.randn(n, 10, generator=g)
    x[:, 8] = (torch.rand(n, generator=g) < 0.03).float()        # rare flag: prior claim
    x[:, 9] = (torch.rand(n, generator=g) < 0.02).float()        # rare flag: commercial use
    y = (x[:, 0] + 0.8 * x[:, 8] + 0.3 * torch.randn(n, generator=g) > 0.5).long()
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 150, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
