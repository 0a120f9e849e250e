"""Cross-sectional return predictor trained to maximise the Pearson
correlation (IC) between predicted and realised next-day returns."""
import torch
from torch import nn


class FactorPanel(torch.utils.data.Dataset):
    def __init__(self, n=257, n_factors=24, seed=21):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, n_factors, generator=g)
        w = torch.randn(n_factors, generator=g) / n_factors ** 0.5
        self.y = 0.02 * (torch.tanh(self.x @ w) + 0.8 * torch.randn(n, generator=g))

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def build_model():
    return nn.Sequential(nn.Linear(24, 64), nn.Tanh(), nn.Dropout(0.1), nn.Linear(64, 1))


def build_dataset():
    return FactorPanel()


def pearson_ic(pred, target):
    pc = pred - pred.mean()
    tc = target - target.mean()
    cov = (pc * tc).sum() / (len(pred) - 1)
    return cov / (pred.std() * target.std())


def compute_loss(model, batch):
    x, y = batch
    pred = model(x).squeeze(-1)
    return 1.0 - pearson_ic(pred, y)


NANWIZ = {"lr": 3e-4, "batch_size": 32, "steps": 60, "seed": 0}
