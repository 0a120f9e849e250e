import torch
from torch import nn
import torch.nn.functional as F

N_FEATURES = 24


class LoadRegressor(nn.Module):
    def __init__(self, in_dim=N_FEATURES, width=256, depth=10):
        super().__init__()
        layers = [nn.Linear(in_dim, width), nn.ReLU()]
        for _ in range(depth - 1):
            layers += [nn.Linear(width, width), nn.ReLU()]
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.net(x).squeeze(-1)


def build_model():
    return LoadRegressor()


def build_dataset():
    g = torch.Generator().manual_seed(5)
    n = 2048
    x = torch.randn(n, N_FEATURES, generator=g)
    w = torch.randn(N_FEATURES, generator=g) / N_FEATURES ** 0.5
    y = torch.tanh(x @ w) + 0.3 * (x[:, 0] * x[:, 1]) + 0.05 * torch.randn(n, generator=g)
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 200, "seed": 0}
