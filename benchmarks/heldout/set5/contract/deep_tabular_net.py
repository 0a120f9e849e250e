import torch
from torch import nn
import torch.nn.functional as F

N = 2500
FEATURES = 32
WIDTH = 256
DEPTH = 20


def build_dataset():
    g = torch.Generator().manual_seed(29)
    x = torch.randn(N, FEATURES, generator=g)
    w = torch.randn(FEATURES, generator=g) / FEATURES ** 0.5
    y = torch.tanh(x @ w) + 0.3 * torch.sin(3 * x[:, 0]) * x[:, 1] + 0.1 * torch.randn(N, generator=g)
    return torch.utils.data.TensorDataset(x, y)


class DeepMLP(nn.Module):
    def __init__(self):
        super().__init__()
        dims = [FEATURES] + [WIDTH] * DEPTH
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.head = nn.Linear(WIDTH, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=1.0)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        for layer in self.layers:
            x = F.relu(layer(x))
        return self.head(x).squeeze(-1)


def build_model():
    return DeepMLP()


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-4, "batch_size": 64, "steps": 100}
