"""SimCLR-style contrastive pretraining for a product-thumbnail encoder
(NT-Xent loss with a low temperature, self-similarities masked out)."""
import torch
from torch import nn
import torch.nn.functional as F


TEMPERATURE = 0.05


def build_model():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 32),
    )


class Thumbnails(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(23)
        self.x = torch.rand(257, 3, 12, 12, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


def build_dataset():
    return Thumbnails()


def augment(x):
    if torch.rand(()) < 0.5:
        x = x.flip(-1)
    brightness = 1 + 0.2 * (torch.rand(x.shape[0], 1, 1, 1) - 0.5)
    return (x * brightness + 0.05 * torch.randn_like(x)).clamp(0, 1)


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=-1)
    n = z1.shape[0]
    sim = z @ z.T / tau
    self_mask = torch.eye(2 * n, dtype=torch.bool)
    sim = sim.masked_fill(self_mask, float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def compute_loss(model, batch):
    x = batch
    return nt_xent(model(augment(x)), model(augment(x)), TEMPERATURE)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 120, "seed": 0}
