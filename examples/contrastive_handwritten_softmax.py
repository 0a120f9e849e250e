"""SimCLR-style contrastive learning of 32-d embeddings for sensor windows (MLP encoder).
The InfoNCE loss is hand-written, exp(sim / tau) / sum(exp(sim / tau)), on raw dot-product
similarities (no L2 normalization, no max subtraction) with tau = 0.07: exp() overflows to
inf and inf / inf = NaN (F.cross_entropy on sim would be stable).
Cause: num.exp_overflow
"""
import torch
from torch import nn

TAU = 0.07


def build_model():
    return nn.Sequential(
        nn.Linear(24, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 32)
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1024
    base = torch.cumsum(torch.randn(n, 24, generator=g), dim=1)  # random-walk windows
    view1 = base + 0.1 * torch.randn(n, 24, generator=g)   # two jittered views of each window
    scale = 1 + 0.05 * torch.randn(n, 1, generator=g)
    view2 = base * scale + 0.1 * torch.randn(n, 24, generator=g)
    return torch.utils.data.TensorDataset(view1, view2)


def compute_loss(model, batch):
    v1, v2 = batch
    z1, z2 = model(v1), model(v2)
    sim = z1 @ z2.T / TAU                       # (B, B), positives on the diagonal
    e = torch.exp(sim)
    prob_pos = e.diagonal() / e.sum(dim=1)
    return -torch.log(prob_pos).mean()


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
