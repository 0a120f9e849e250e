"""LSTM forecaster: predict tomorrow's load from the last 24 hourly sensor readings.

Targets come from a meter that sometimes drops out; the dropouts were stored as NaN
in the label column and never filtered, so a few samples carry a NaN regression target.
Cause: data.bad_label
"""
import math
import torch
from torch import nn
import torch.nn.functional as F


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(input_size=3, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)


def build_model():
    return Forecaster()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n, t = 600, 24
    phase = torch.rand(n, 1, generator=g) * 2 * math.pi
    hours = torch.arange(t + 1).float().unsqueeze(0)
    load = torch.sin(2 * math.pi * hours / 24 + phase) + 0.1 * torch.randn(n, t + 1, generator=g)
    temp = torch.cos(2 * math.pi * hours / 24 + phase) + 0.1 * torch.randn(n, t + 1, generator=g)
    hour_feat = (hours / 24).expand(n, -1)
    x = torch.stack([load[:, :t], temp[:, :t], hour_feat[:, :t]], dim=-1)
    y = load[:, t].clone()
    y[[41, 502]] = float("nan")  # meter dropouts
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 3e-3, "batch_size": 32, "steps": 120, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
