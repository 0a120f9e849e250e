"""GRU trajectory model with two loss terms returned as a dict: "mse" on the next
position and "smooth", a penalty on the feature norm meant to keep the dynamics tame.
"smooth" got weight 3e3 instead of 3e-3 (a lost minus sign); under SGD that
term overshoots every step and diverges first.
Cause: optim.loss_term_weight
"""
import torch
from torch import nn
import torch.nn.functional as F

SMOOTH_WEIGHT = 3e3  # meant 3e-3


class TrajectoryGRU(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(input_size=2, hidden_size=hidden, batch_first=True)
        self.proj = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        out, _ = self.gru(x)
        feat = self.proj(out[:, -1])
        return self.head(torch.tanh(feat)), feat


def build_model():
    return TrajectoryGRU()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n, t = 640, 20
    angle0 = torch.rand(n, 1, generator=g) * 6.28
    speed = 0.1 + 0.2 * torch.rand(n, 1, generator=g)
    ang = angle0 + speed * torch.arange(t + 1).float()
    pos = torch.stack([ang.cos(), ang.sin()], dim=-1) + 0.02 * torch.randn(n, t + 1, 2, generator=g)
    return torch.utils.data.TensorDataset(pos[:, :t], pos[:, t])


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def compute_loss(model, batch):
    x, y = batch
    pred, feat = model(x)
    return {"mse": F.mse_loss(pred, y), "smooth": SMOOTH_WEIGHT * feat.pow(2).mean()}


NANWIZ = {"lr": 1e-2, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
