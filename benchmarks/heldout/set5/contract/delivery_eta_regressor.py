import torch
from torch import nn
import torch.nn.functional as F

N = 4000
LOSS_SCALE = 1024.0


def build_dataset():
    g = torch.Generator().manual_seed(17)
    distance_km = 0.5 + 14.5 * torch.rand(N, generator=g)
    items = torch.randint(1, 12, (N,), generator=g).float()
    hour = torch.randint(0, 24, (N,), generator=g).float()
    rain = (torch.rand(N, generator=g) < 0.2).float()
    courier_load = torch.randint(0, 5, (N,), generator=g).float()
    rush = ((hour >= 11) & (hour <= 13)) | ((hour >= 18) & (hour <= 20))
    eta_min = (8 + 3.2 * distance_km + 0.8 * items + 6 * rush.float() + 5 * rain
               + 2.5 * courier_load + 3 * torch.randn(N, generator=g))
    x = torch.stack([
        (distance_km - 7.75) / 4.2,
        (items - 6) / 3.2,
        torch.sin(hour / 24 * 6.2832),
        torch.cos(hour / 24 * 6.2832),
        rain,
        (courier_load - 2) / 1.4,
    ], dim=1)
    y = (eta_min - 40.0) / 15.0
    return torch.utils.data.TensorDataset(x, y)


def build_model():
    return nn.Sequential(
        nn.Linear(6, 64), nn.SiLU(),
        nn.Linear(64, 64), nn.SiLU(),
        nn.Linear(64, 1),
    )


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)


def compute_loss(model, batch):
    x, y = batch
    pred = model(x).squeeze(-1)
    return F.mse_loss(pred, y) * LOSS_SCALE


NANWIZ = {"lr": 0.01, "batch_size": 64, "steps": 200}
