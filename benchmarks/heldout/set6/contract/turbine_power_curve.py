import torch
from torch import nn
import torch.nn.functional as F

N_INPUTS = 16
WIDTH = 256
DEPTH = 18


class PowerCurveNet(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Linear(N_INPUTS, WIDTH), nn.ReLU()]
        for _ in range(DEPTH - 1):
            layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
        layers.append(nn.Linear(WIDTH, 1))
        self.net = nn.Sequential(*layers)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.net(x)


def build_model():
    return PowerCurveNet()


def build_dataset():
    g = torch.Generator().manual_seed(9)
    n = 768
    x = torch.randn(n, N_INPUTS, generator=g)
    wind = 1.0 + 0.8 * x[:, 0].abs()
    power = torch.tanh((wind - 1.3) * 2.0) + 0.05 * x[:, 1] + 0.02 * torch.randn(n, generator=g)
    return torch.utils.data.TensorDataset(x, power.unsqueeze(1))


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-4, "batch_size": 32, "steps": 100, "seed": 0}
