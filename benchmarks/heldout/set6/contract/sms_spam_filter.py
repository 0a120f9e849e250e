import torch
from torch import nn
import torch.nn.functional as F

N_MSGS = 2000
N_TOKENS = 300


def build_model():
    return nn.Sequential(nn.Linear(N_TOKENS, 64), nn.ReLU(), nn.Linear(64, 2))


def build_dataset():
    g = torch.Generator().manual_seed(2024)
    spam = torch.rand(N_MSGS, generator=g) < 0.3
    rate = torch.full((N_MSGS, N_TOKENS), 0.02)
    rate[spam, :20] = 0.6           # "free", "winner", "claim", "txt", ...
    rate[~spam, 20:60] = 0.3
    counts = torch.poisson(rate * 8, generator=g)
    x = torch.log1p(counts) * 4.0
    return torch.utils.data.TensorDataset(x, spam.long())


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


NANWIZ = {"lr": 0.5, "batch_size": 50, "steps": 300, "seed": 0}
