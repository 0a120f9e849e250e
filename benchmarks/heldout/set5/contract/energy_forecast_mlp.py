import math
import torch
from torch import nn
import torch.nn.functional as F

N = 3000
LAGS = 24


def _load_series():
    g = torch.Generator().manual_seed(5)
    t = torch.arange(N + LAGS, dtype=torch.float32)
    daily = torch.sin(2 * math.pi * t / 24)
    weekly = 0.5 * torch.sin(2 * math.pi * t / (24 * 7))
    temp = 12 + 8 * torch.sin(2 * math.pi * t / (24 * 365)) + 2 * torch.randn(N + LAGS, generator=g)
    load = 420 + 60 * daily + 35 * weekly - 3.5 * (temp - 12) + 8 * torch.randn(N + LAGS, generator=g)
    return load, temp, t


class LoadWindows(torch.utils.data.Dataset):
    def __init__(self):
        load, temp, t = _load_series()
        mu, sd = load.mean(), load.std()
        load_n = (load - mu) / sd
        temp_n = (temp - temp.mean()) / temp.std()
        hour = t % 24
        rows, targets = [], []
        for i in range(LAGS, N + LAGS):
            rows.append(torch.cat([
                load_n[i - LAGS:i],
                temp_n[i:i + 1],
                torch.tensor([math.sin(2 * math.pi * hour[i] / 24), math.cos(2 * math.pi * hour[i] / 24)]),
            ]))
            targets.append(load_n[i])
        self.x = torch.stack(rows)
        self.y = torch.stack(targets)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def build_dataset():
    return LoadWindows()


def build_model():
    return nn.Sequential(
        nn.Linear(LAGS + 3, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, 1),
    )


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x).squeeze(-1), y)


NANWIZ = {"lr": 0.6, "batch_size": 64, "steps": 200}
