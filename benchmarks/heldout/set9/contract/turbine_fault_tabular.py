import torch
from torch import nn
import torch.nn.functional as F

SENSORS = ["rotor_rpm", "wind_speed", "nacelle_temp", "gearbox_temp", "oil_pressure", "pitch_angle",
           "yaw_error", "vibration_x", "vibration_y", "grid_freq", "blade_icing_flag", "power_kw"]


class StandardizedTable(torch.utils.data.Dataset):
    def __init__(self, features, labels):
        self.mean = features.mean(dim=0)
        self.std = features.std(dim=0)
        self.features = (features - self.mean) / self.std
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.features[i], self.labels[i]


def build_dataset():
    g = torch.Generator().manual_seed(17)
    n = 3000
    raw = torch.empty(n, len(SENSORS))
    raw[:, 0] = 12 + 3 * torch.randn(n, generator=g)
    raw[:, 1] = 8 + 2.5 * torch.randn(n, generator=g)
    raw[:, 2] = 35 + 5 * torch.randn(n, generator=g)
    raw[:, 3] = 60 + 8 * torch.randn(n, generator=g)
    raw[:, 4] = 2.1 + 0.2 * torch.randn(n, generator=g)
    raw[:, 5] = 4 * torch.rand(n, generator=g)
    raw[:, 6] = 5 * torch.randn(n, generator=g)
    raw[:, 7] = 0.3 * torch.randn(n, generator=g).abs()
    raw[:, 8] = 0.3 * torch.randn(n, generator=g).abs()
    raw[:, 9] = 50.0 + 0.02 * torch.randn(n, generator=g)
    raw[:, 10] = 0.0
    raw[:, 11] = 0.3 * raw[:, 1] ** 3 + 20 * torch.randn(n, generator=g)
    fault = ((raw[:, 3] > 68) & (raw[:, 7] + raw[:, 8] > 0.5)) | (raw[:, 4] < 1.8)
    return StandardizedTable(raw, fault.long())


def build_model():
    return nn.Sequential(
        nn.Linear(len(SENSORS), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 2),
    )


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 200, "seed": 0}
