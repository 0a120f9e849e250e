"""Product-image retrieval: an MLP embeds image features, and the loss is the angle between
an anchor and its positive, acos(cos_sim.clamp(-1, 1)), plus a hinge on a negative. The
catalogue lists some products twice with the very same image, so for those pairs the cosine
similarity is 1 (or 1.0000001, clamped to 1): acos is finite there, but its derivative
-1 / sqrt(1 - x^2) is -Inf. Clamping to [-1, 1] is exactly what does not help.
Cause: num.domain_edge_grad
"""
import torch
from torch import nn
import torch.nn.functional as F


def build_model():
    return nn.Sequential(nn.Linear(48, 64), nn.ReLU(), nn.Linear(64, 32))


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 800
    anchor = torch.randn(n, 48, generator=g)
    positive = anchor + 0.3 * torch.randn(n, 48, generator=g)  # another photo of the product
    duplicate = torch.rand(n, generator=g) < 0.05               # the same image listed twice
    positive[duplicate] = anchor[duplicate]
    negative = torch.randn(n, 48, generator=g)
    return torch.utils.data.TensorDataset(anchor, positive, negative)


def angle(a, b):
    return torch.acos(F.cosine_similarity(a, b, dim=1).clamp(-1, 1))


def compute_loss(model, batch):
    anchor, positive, negative = (model(t) for t in batch)
    pos, neg = angle(anchor, positive), angle(anchor, negative)
    return (pos + F.relu(0.5 + pos - neg)).mean()


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 150, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
