"""Small CNN on 3-class 12x12 blob images whose middle layer stands in for a faulty GPU:
FaultyReLU corrupts one activation to NaN with probability 3% per forward pass, drawn
from random.SystemRandom (OS entropy, unaffected by torch.manual_seed/random.seed), so
the NaN appears at a different step on every run with the same seed, or not at all.
Cause: env.hardware_or_library
"""
import random
import torch
from torch import nn
import torch.nn.functional as F

_entropy = random.SystemRandom()


class FaultyReLU(nn.ReLU):
    """ReLU running on a 'flaky device': rare, irreproducible corruption of one value."""
    fault_rate = 0.03

    def forward(self, x):
        out = super().forward(x)
        if _entropy.random() < self.fault_rate:
            out = out.clone()
            out.view(-1)[_entropy.randrange(out.numel())] = float("nan")
        return out


def build_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), FaultyReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 3 * 3, 3),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 900
    y = torch.arange(n) % 3
    yy, xx = torch.meshgrid(torch.arange(12.0), torch.arange(12.0), indexing="ij")
    cx = torch.tensor([3.0, 6.0, 9.0])[y] + torch.randn(n, generator=g)  # blob column per class
    cy = 2 + 8 * torch.rand(n, generator=g)
    blob = torch.exp(-((xx - cx[:, None, None]) ** 2 + (yy - cy[:, None, None]) ** 2) / 4)
    x = blob + 0.2 * torch.randn(n, 12, 12, generator=g)
    return torch.utils.data.TensorDataset(x.unsqueeze(1), y)


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
