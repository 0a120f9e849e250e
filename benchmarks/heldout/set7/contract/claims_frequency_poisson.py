"""Insurance claim-frequency model (Poisson GLM-style network with exposure
offset), trained directly on the unit Poisson deviance."""
import torch
from torch import nn


N_FEATURES = 8


class FrequencyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(N_FEATURES, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, x, exposure):
        return torch.exp(self.net(x).squeeze(-1) + torch.log(exposure))


def build_model():
    return FrequencyNet()


def build_dataset():
    g = torch.Generator().manual_seed(17)
    n = 3000
    x = torch.randn(n, N_FEATURES, generator=g)
    exposure = torch.empty(n).uniform_(0.05, 1.0, generator=g)
    rate = torch.exp(-2.3 + 0.4 * x[:, 0] - 0.3 * x[:, 1])
    claims = torch.poisson(rate * exposure, generator=g)   # mostly zeros
    return torch.utils.data.TensorDataset(x, exposure, claims)


def poisson_deviance(mu, y):
    positive = y > 0
    y_safe = torch.where(positive, y, torch.ones_like(y))
    term = torch.where(positive, y * torch.log(y_safe / mu), torch.zeros_like(y))
    return 2 * (term - (y - mu)).mean()


def compute_loss(model, batch):
    x, exposure, claims = batch
    return poisson_deviance(model(x, exposure), claims)


NANWIZ = {"lr": 3e-3, "batch_size": 128, "steps": 200, "seed": 0}
