"""Remaining-useful-life regression (turbofan-style): GRU over 30 cycles of 8 sensors ->
days of operation left (0..5), MSE, fp16 autocast + GradScaler. The scaler starts at
2**16, so the first few backward passes overflow fp16 gradients; those steps are skipped
while the scale halves, then training proceeds normally with a finite loss. Benign.
Cause: amp.scaler_skips_expected
"""
import torch
from torch import nn
import torch.nn.functional as F

CYCLES, SENSORS = 30, 8


class RULNet(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(SENSORS, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


def build_model():
    return RULNet()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1024
    rul = 125 * torch.rand(n, generator=g)                       # cycles left at the window end
    t = torch.arange(CYCLES).float()
    wear = (1 - (rul[:, None] + CYCLES - t) / 155).clamp(min=0)   # 0 = new, 1 = failed
    gains = torch.randn(SENSORS, generator=g)
    x = wear[:, :, None] * gains + 0.1 * torch.randn(n, CYCLES, SENSORS, generator=g)
    return torch.utils.data.TensorDataset(x, rul / 25)  # 25 cycles a day: target in days


def compute_loss(model, batch):
    x, rul = batch
    return F.mse_loss(model(x), rul)


NANWIZ = {"lr": 1e-2, "batch_size": 32, "steps": 100, "amp": "fp16", "grad_clip": None,
          "seed": 0, "shuffle": True}
