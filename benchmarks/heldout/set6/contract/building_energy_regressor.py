import torch
from torch import nn
import torch.nn.functional as F

N_BUILDINGS = 1500
FEATURES = ["floor_area", "floors", "age", "hdd", "cdd", "occupancy", "glazing", "insulation"]


class EnergyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(len(FEATURES), 128), nn.ReLU(),
            nn.Linear(128, 128), nn.ReLU(),
            nn.Linear(128, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def build_model():
    return EnergyNet()


def build_dataset():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(N_BUILDINGS, len(FEATURES), generator=g)
    # annual consumption in kWh
    kwh = 52000.0 + 9000.0 * x[:, 0] + 4000.0 * x[:, 3] + 2500.0 * x[:, 4] \
        - 3000.0 * x[:, 7] + 1500.0 * torch.randn(N_BUILDINGS, generator=g)
    return torch.utils.data.TensorDataset(x, kwh)


def compute_loss(model, batch):
    x, kwh = batch
    pred = model(x)
    return F.l1_loss(pred.float(), kwh)


NANWIZ = {"lr": 3e-2, "batch_size": 64, "steps": 300, "seed": 0, "amp": "fp16"}
