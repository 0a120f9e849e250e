import torch
from torch import nn
import torch.nn.functional as F

FEATURES = ["sqft", "bedrooms", "bathrooms", "lot_size", "year_built", "garage",
            "dist_center_km", "school_score", "crime_idx", "renovated"]
N_HOMES = 1200


def build_model():
    return nn.Sequential(
        nn.Linear(len(FEATURES), 128), nn.GELU(),
        nn.Linear(128, 128), nn.GELU(),
        nn.Linear(128, 1),
    )


def build_dataset():
    g = torch.Generator().manual_seed(101)
    x = torch.randn(N_HOMES, len(FEATURES), generator=g)
    w = torch.tensor([0.9, 0.2, 0.3, 0.25, 0.15, 0.1, -0.5, 0.4, -0.3, 0.2])
    log_price = 12.5 + x @ w + 0.1 * (x[:, 0] * x[:, 7]) + 0.1 * torch.randn(N_HOMES, generator=g)
    y = (log_price - 12.5).unsqueeze(1)
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


NANWIZ = {"lr": 0.4, "batch_size": 64, "steps": 300, "seed": 0}
