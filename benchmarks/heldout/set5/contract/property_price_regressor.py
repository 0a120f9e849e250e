import torch
from torch import nn
import torch.nn.functional as F

N = 3000
PRICE_SCALE = 1e5


def build_dataset():
    g = torch.Generator().manual_seed(53)
    sqft = 600 + 3400 * torch.rand(N, generator=g)
    bedrooms = torch.randint(1, 7, (N,), generator=g).float()
    bathrooms = torch.randint(1, 5, (N,), generator=g).float()
    year_built = 1900 + 123 * torch.rand(N, generator=g)
    lot_acres = torch.distributions.Exponential(torch.tensor(3.0)).icdf(torch.rand(N, generator=g))
    waterfront = (torch.rand(N, generator=g) < 0.03).float()
    price = (90000 + 210 * sqft + 14000 * bedrooms + 21000 * bathrooms + 900 * (year_built - 1900)
             + 160000 * lot_acres + 650000 * waterfront)
    price = price * torch.exp(0.15 * torch.randn(N, generator=g))
    raw = torch.stack([sqft, bedrooms, bathrooms, year_built, lot_acres, waterfront], dim=1)
    x = (raw - raw.mean(0)) / raw.std(0)
    return torch.utils.data.TensorDataset(x, price)


class PriceNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1) * PRICE_SCALE


def build_model():
    return PriceNet()


def compute_loss(model, batch):
    x, price = batch
    return F.mse_loss(model(x), price)


NANWIZ = {"lr": 3e-3, "batch_size": 64, "steps": 250}
