"""Deep plain MLP (20 hidden layers of width 256, ReLU) for a tabular regression task.
A custom init_weights() copied from an old TF tutorial draws every weight from N(0, 1)
instead of N(0, 2/fan_in): each layer multiplies the activation scale by ~11, so the
output (and the MSE) overflow float32 on the very first forward pass.
Cause: init.bad_init
"""
import torch
from torch import nn
import torch.nn.functional as F

DEPTH, WIDTH = 20, 256


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0.0, std=1.0)
        nn.init.zeros_(m.bias)


def build_model():
    layers = [nn.Linear(10, WIDTH), nn.ReLU()]
    for _ in range(DEPTH - 1):
        layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(WIDTH, 1))
    model.apply(init_weights)
    return model


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1024
    x = torch.randn(n, 10, generator=g)
    y = torch.sin(x[:, 0]) + x[:, 1] * x[:, 2] + 0.1 * torch.randn(n, generator=g)
    return torch.utils.data.TensorDataset(x, y.unsqueeze(1))


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
