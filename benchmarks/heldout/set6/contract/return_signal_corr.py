import torch
from torch import nn

N_DAYS = 961
N_FACTORS = 20


def build_model():
    return nn.Sequential(
        nn.Linear(N_FACTORS, 48), nn.GELU(),
        nn.Linear(48, 48), nn.GELU(),
        nn.Linear(48, 1),
    )


def build_dataset():
    g = torch.Generator().manual_seed(21)
    factors = torch.randn(N_DAYS, N_FACTORS, generator=g)
    beta = torch.randn(N_FACTORS, generator=g) * 0.2
    noise = torch.randn(N_DAYS, generator=g) * 1.5
    fwd_return = factors @ beta + 0.3 * torch.tanh(factors[:, 0] * factors[:, 1]) + noise
    return torch.utils.data.TensorDataset(factors, fwd_return)


def pearson(a, b):
    a_c = a - a.mean()
    b_c = b - b.mean()
    return (a_c * b_c).mean() / (a.std() * b.std())


def compute_loss(model, batch):
    x, r = batch
    signal = model(x).squeeze(-1)
    # maximise information coefficient of the signal
    return 1.0 - pearson(signal, r)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 120, "seed": 1}
