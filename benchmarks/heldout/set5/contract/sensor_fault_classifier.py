import torch
from torch import nn
import torch.nn.functional as F

SENSORS = ["spindle_temp", "spindle_rpm", "vibration_x", "vibration_y", "coolant_flow",
           "coolant_temp", "motor_current", "line_id", "ambient_temp", "tool_wear_min"]
N = 1200
CLASSES = 4


def _readings():
    g = torch.Generator().manual_seed(3)
    fault = torch.randint(0, CLASSES, (N,), generator=g)
    r = {}
    r["spindle_temp"] = 55 + 4 * torch.randn(N, generator=g) + 6 * (fault == 1)
    r["spindle_rpm"] = 12000 + 300 * torch.randn(N, generator=g) - 900 * (fault == 2)
    r["vibration_x"] = 0.2 + 0.05 * torch.randn(N, generator=g) + 0.15 * (fault == 3)
    r["vibration_y"] = 0.2 + 0.05 * torch.randn(N, generator=g) + 0.10 * (fault == 3)
    r["coolant_flow"] = 8 + 0.6 * torch.randn(N, generator=g) - 1.5 * (fault == 1)
    r["coolant_temp"] = 21 + 1.2 * torch.randn(N, generator=g)
    r["motor_current"] = 14 + 1.5 * torch.randn(N, generator=g) + 3 * (fault == 2)
    r["line_id"] = torch.full((N,), 4.0)
    r["ambient_temp"] = 23 + 2 * torch.randn(N, generator=g)
    r["tool_wear_min"] = 240 * torch.rand(N, generator=g)
    return torch.stack([r[s].float() for s in SENSORS], dim=1), fault


def build_dataset():
    x, y = _readings()
    lo = x.min(dim=0).values
    hi = x.max(dim=0).values
    x = (x - lo) / (hi - lo)
    return torch.utils.data.TensorDataset(x, y)


def build_model():
    return nn.Sequential(
        nn.Linear(len(SENSORS), 64), nn.GELU(),
        nn.Linear(64, 64), nn.GELU(),
        nn.Linear(64, CLASSES),
    )


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 2e-3, "batch_size": 32, "steps": 120}
