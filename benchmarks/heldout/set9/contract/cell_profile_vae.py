import torch
from torch import nn
import torch.nn.functional as F

N_GENES = 200
LATENT = 10
BETA = 1000.0


class ProfileVAE(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(N_GENES, hidden), nn.ReLU())
        self.to_mu = nn.Linear(hidden, LATENT)
        self.to_logvar = nn.Linear(hidden, LATENT)
        self.decoder = nn.Sequential(nn.Linear(LATENT, hidden), nn.ReLU(), nn.Linear(hidden, N_GENES))

    def forward(self, x):
        h = self.encoder(x)
        mu, logvar = self.to_mu(h), self.to_logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.decoder(z), mu, logvar


def build_model():
    return ProfileVAE()


def build_dataset():
    g = torch.Generator().manual_seed(41)
    n = 2048
    programs = torch.randn(6, N_GENES, generator=g)
    usage = torch.rand(n, 6, generator=g) ** 2
    expr = torch.log1p(torch.relu(usage @ programs * 2.0 + 0.5 * torch.randn(n, N_GENES, generator=g)))
    return torch.utils.data.TensorDataset(expr)


def compute_loss(model, batch):
    (x,) = batch
    recon, mu, logvar = model(x)
    recon_loss = F.mse_loss(recon, x, reduction="sum") / x.shape[0]
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.shape[0]
    return {"reconstruction": recon_loss, "kl": BETA * kl}


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


NANWIZ = {"lr": 3e-3, "batch_size": 64, "steps": 200, "seed": 0}
