"""GRU demand forecaster: 28 days of unit sales for a store item -> next day's sales,
trained on a hand-written MAPE loss mean(|pred - y| / y). Slow-moving items have
days with zero sales, so some targets are exactly 0 and the division gives Inf.
Cause: num.div_zero
"""
import torch
from torch import nn


class SalesGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x.unsqueeze(-1) / 10.0)
        return 10.0 * self.head(out[:, -1]).squeeze(-1)


def build_model():
    return SalesGRU()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n, days = 800, 29
    rate = torch.exp(torch.randn(n, 1, generator=g))        # items from ~0.2 to ~7 units/day
    weekly = 1 + 0.3 * torch.sin(2 * torch.pi * torch.arange(days) / 7)
    sales = torch.poisson(rate * weekly, generator=g)         # integer counts, many zeros
    return torch.utils.data.TensorDataset(sales[:, :28], sales[:, 28])


def compute_loss(model, batch):
    x, y = batch
    pred = model(x)
    return (torch.abs(pred - y) / y).mean()  # MAPE


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
