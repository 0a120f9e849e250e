"""Self-supervised pretraining of an encoder for multichannel sensor windows
(Barlow Twins objective: cross-correlation of two augmented views -> identity).
"""
import torch
from torch import nn


WINDOW = 32
CHANNELS = 6
PROJ = 64
LAMBDA = 5e-3


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(CHANNELS, 32, 5, padding=2), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.projector = nn.Sequential(nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, PROJ))

    def forward(self, x):
        return self.projector(self.conv(x))


def build_model():
    return Encoder()


class SensorWindows(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(11)
        n = 513
        t = torch.linspace(0, 1, WINDOW)
        freq = 1 + 4 * torch.rand(n, CHANNELS, 1, generator=g)
        phase = 6.28 * torch.rand(n, CHANNELS, 1, generator=g)
        self.x = torch.sin(6.28 * freq * t + phase) + 0.1 * torch.randn(n, CHANNELS, WINDOW, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


def build_dataset():
    return SensorWindows()


def augment(x):
    scale = 1 + 0.1 * torch.randn(x.shape[0], x.shape[1], 1)
    jitter = 0.05 * torch.randn_like(x)
    return x * scale + jitter


def standardize(z):
    return (z - z.mean(0)) / z.std(0)


def compute_loss(model, batch):
    x = batch
    z1 = standardize(model(augment(x)))
    z2 = standardize(model(augment(x)))
    n = z1.shape[0]
    c = z1.T @ z2 / n
    on_diag = (torch.diagonal(c) - 1).pow(2).sum()
    off_diag = (c - torch.diag(torch.diagonal(c))).pow(2).sum()
    return on_diag + LAMBDA * off_diag


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 40, "seed": 0}
