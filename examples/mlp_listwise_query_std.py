"""Learning-to-rank MLP for a shop search: each sample is one query with up to 8 candidate
products. The listwise loss z-scores the predicted scores within each query,
(s - s.mean()) / (s.std() + 1e-6), before a softmax cross-entropy against the clicks. Queries
with a single candidate exist (about 1 in 12): the unbiased std of one element is 0 / 0 = NaN,
and the eps added after it does not help.
Cause: num.single_element_variance
"""
import torch
from torch import nn
import torch.nn.functional as F

DOCS, FEATS = 8, 12


def build_model():
    return nn.Sequential(nn.Linear(FEATS, 32), nn.ReLU(), nn.Linear(32, 1))


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 960
    feats = torch.randn(n, DOCS, FEATS, generator=g)
    count = torch.randint(2, DOCS + 1, (n,), generator=g)
    count[torch.rand(n, generator=g) < 0.08] = 1               # single-candidate queries
    relevance = feats[..., 0] + 0.5 * feats[..., 1]
    clicked = relevance.masked_fill(torch.arange(DOCS)[None, :] >= count[:, None], -1e9).argmax(1)
    return torch.utils.data.TensorDataset(feats, count, clicked)


def compute_loss(model, batch):
    feats, count, clicked = batch
    scores = model(feats).squeeze(-1)                          # (batch, DOCS)
    losses = []
    for s, n, c in zip(scores, count, clicked):
        s = s[:n]
        z = (s - s.mean()) / (s.std() + 1e-6)                  # per-query standardization
        losses.append(F.cross_entropy(z.unsqueeze(0), c.unsqueeze(0)))
    return torch.stack(losses).mean()


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 120, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
