import torch
from torch import nn
import torch.nn.functional as F

SENSORS = ["air_temp", "leaf_temp", "humidity", "par_light", "co2_ppm",
           "soil_moist", "ec", "ph", "vpd", "irrigation_ml"]
N_DAYS = 540


def build_model():
    return nn.Sequential(
        nn.Linear(len(SENSORS), 64), nn.SiLU(),
        nn.Linear(64, 64), nn.SiLU(),
        nn.Linear(64, 1),
    )


def _raw_logs():
    g = torch.Generator().manual_seed(31)
    scale = torch.tensor([24.0, 23.0, 70.0, 450.0, 800.0, 0.35, 2.1, 6.2, 0.9, 900.0])
    spread = torch.tensor([3.0, 3.0, 8.0, 120.0, 90.0, 0.05, 0.3, 0.2, 0.3, 150.0])
    x = scale + spread * torch.randn(N_DAYS, len(SENSORS), generator=g)
    # the CO2 controller in this house holds the setpoint
    x[:, SENSORS.index("co2_ppm")] = 800.0
    yield_g = (0.02 * x[:, 3] + 0.8 * x[:, 0] - 3.0 * (x[:, 8] - 0.9) ** 2
               + 0.5 * torch.randn(N_DAYS, generator=g))
    return x, yield_g


class StandardScaler:
    def fit(self, x):
        self.mean = x.mean(dim=0)
        self.std = x.std(dim=0)
        return self

    def transform(self, x):
        return (x - self.mean) / self.std


def build_dataset():
    x, y = _raw_logs()
    x = StandardScaler().fit(x).transform(x)
    y = (y - y.mean()) / y.std()
    return torch.utils.data.TensorDataset(x, y.unsqueeze(1))


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 100, "seed": 0}
