import torch
from torch import nn
import torch.nn.functional as F

N_STORES = 120
N_DAYS = 40


def build_dataset():
    g = torch.Generator().manual_seed(61)
    store_size = torch.distributions.LogNormal(torch.tensor(0.0), torch.tensor(1.3)).icdf(torch.rand(N_STORES, generator=g))
    store = torch.arange(N_STORES).repeat_interleave(N_DAYS)
    day = torch.arange(N_DAYS).repeat(N_STORES)
    weekday = day % 7
    promo = (torch.rand(N_STORES * N_DAYS, generator=g) < 0.1).float()
    holiday = (day % 30 == 24).float()
    log_rate = (3.0 + torch.log(store_size[store]) + 0.25 * (weekday >= 5).float()
                + 0.9 * promo + 1.6 * holiday)
    units = torch.poisson(torch.exp(log_rate), generator=g)
    x = torch.stack([
        torch.log(store_size[store]),
        torch.sin(weekday / 7 * 6.2832), torch.cos(weekday / 7 * 6.2832),
        promo, holiday,
    ], dim=1)
    return torch.utils.data.TensorDataset(x, units)


def build_model():
    return nn.Sequential(nn.Linear(5, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))


def compute_loss(model, batch):
    x, units = batch
    log_rate = model(x).squeeze(-1)
    return F.poisson_nll_loss(log_rate, units, log_input=True)


NANWIZ = {"lr": 1e-2, "batch_size": 32, "steps": 300}
