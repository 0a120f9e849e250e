"""Weekly store demand forecaster: MLP over standardized calendar, price and
lagged-sales features, trained with SGD + Nesterov momentum."""
import torch
from torch import nn
import torch.nn.functional as F


class StoreWeeks(torch.utils.data.Dataset):
    def __init__(self, n=2048, n_features=20, seed=4):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(n, n_features, generator=g)
        w = torch.randn(n_features, generator=g)
        y = x @ w + 0.5 * torch.sin(3 * x[:, 0]) + 0.3 * torch.randn(n, generator=g)
        self.x = x
        self.y = (y - y.mean()) / y.std()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def build_model():
    return nn.Sequential(
        nn.Linear(20, 128), nn.LeakyReLU(0.1),
        nn.Linear(128, 128), nn.LeakyReLU(0.1),
        nn.Linear(128, 1),
    )


def build_dataset():
    return StoreWeeks()


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x).squeeze(-1), y)


NANWIZ = {"lr": 0.3, "batch_size": 64, "steps": 200, "seed": 0}
