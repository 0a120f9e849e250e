"""House-price regression MLP on 8 numeric features, standardized per column.

build_dataset z-scores every column with its own mean/std; the "has_pool" column is
0 for every house in this city, so its std is 0 and the whole column becomes 0/0 = NaN.
Cause: data.zero_std_normalization
"""
import torch
from torch import nn
import torch.nn.functional as F

COLUMNS = ["sqft", "bedrooms", "bathrooms", "age", "lot_size", "has_pool", "dist_center", "garage"]


def build_model():
    return nn.Sequential(nn.Linear(len(COLUMNS), 32), nn.ReLU(), nn.Linear(32, 1))


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1000
    raw = torch.stack([
        torch.normal(1800.0, 500.0, (n,), generator=g),       # sqft
        torch.randint(1, 6, (n,), generator=g).float(),        # bedrooms
        torch.randint(1, 4, (n,), generator=g).float(),        # bathrooms
        torch.rand(n, generator=g) * 80,                       # age
        torch.normal(6000.0, 2000.0, (n,), generator=g),      # lot_size
        torch.zeros(n),                                        # has_pool: no pools here
        torch.rand(n, generator=g) * 30,                       # dist_center (km)
        torch.randint(0, 3, (n,), generator=g).float(),        # garage
    ], dim=1)
    price = 150 * raw[:, 0] + 20000 * raw[:, 2] - 1500 * raw[:, 3] - 3000 * raw[:, 6]
    price = price + torch.normal(0.0, 20000.0, (n,), generator=g)
    x = (raw - raw.mean(dim=0)) / raw.std(dim=0)
    y = (price - price.mean()) / price.std()
    return torch.utils.data.TensorDataset(x, y.unsqueeze(1))


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 100, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
