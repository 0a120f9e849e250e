"""Vanilla nn.RNN (ReLU, near-identity recurrence as in IRNN/np-RNN) reading 150-step
sensor sequences and regressing the mean of the marked readings; SGD with momentum and
no gradient clipping: backprop through 150 steps makes the gradient norm explode.
Cause: optim.exploding_gradients
"""
import torch
from torch import nn
import torch.nn.functional as F

SEQ_LEN = 150


class SeqRegressor(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=hidden, nonlinearity="relu", batch_first=True)
        with torch.no_grad():  # near-identity recurrence (Le et al. 2015) for long memory
            self.rnn.weight_hh_l0.copy_(0.95 * torch.eye(hidden))
        nn.init.zeros_(self.rnn.bias_hh_l0)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def build_model():
    return SeqRegressor()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 512
    signal = torch.randn(n, SEQ_LEN, generator=g)
    marker = (torch.rand(n, SEQ_LEN, generator=g) < 0.2).float()
    x = torch.stack([signal, marker], dim=-1)
    y = (signal * marker).sum(1) / marker.sum(1).clamp(min=1)  # mean of the marked readings
    return torch.utils.data.TensorDataset(x, y)


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-2, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
