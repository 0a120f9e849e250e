"""Matrix-factorization recommender: user and item nn.Embedding tables + biases, MSE on
ratings, Adam with eps=0 ("the paper's update has no epsilon"). Items that have not
been rated in any batch yet have m = v = 0, so the update m / (sqrt(v) + eps) is 0/0.
Cause: optim.eps_too_small
"""
import torch
from torch import nn
import torch.nn.functional as F

N_USERS, N_ITEMS, DIM = 300, 400, 16


class MF(nn.Module):
    def __init__(self):
        super().__init__()
        self.user = nn.Embedding(N_USERS, DIM)
        self.item = nn.Embedding(N_ITEMS, DIM)
        self.item_bias = nn.Embedding(N_ITEMS, 1)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, u, i):
        return (self.user(u) * self.item(i)).sum(-1) + self.item_bias(i).squeeze(-1)


def build_model():
    return MF()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 5000
    pu = torch.randn(N_USERS, 4, generator=g)
    pi = torch.randn(N_ITEMS, 4, generator=g)
    u = torch.randint(0, N_USERS, (n,), generator=g)
    i = torch.randint(0, N_ITEMS, (n,), generator=g)
    r = ((pu[u] * pi[i]).sum(-1) + 3.0 + 0.3 * torch.randn(n, generator=g)).clamp(1, 5)
    return torch.utils.data.TensorDataset(u, i, r)


def build_optimizer(params, lr):
    return torch.optim.Adam(params, lr=lr, eps=0.0)


def compute_loss(model, batch):
    u, i, r = batch
    return F.mse_loss(model(u, i), r)


NANWIZ = {"lr": 1e-2, "batch_size": 64, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
