"""Categorical (discrete-latent) VAE on binarized 8x8 glyphs with a Gumbel-softmax
relaxation; the temperature is annealed during training as in Jang et al."""
import math
import torch
from torch import nn
import torch.nn.functional as F


N_LATENT = 4
N_CAT = 8
D_IN = 64


class GumbelVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(D_IN, 128), nn.ReLU(), nn.Linear(128, N_LATENT * N_CAT))
        self.dec = nn.Sequential(nn.Linear(N_LATENT * N_CAT, 128), nn.ReLU(), nn.Linear(128, D_IN))
        self.register_buffer("step", torch.zeros((), dtype=torch.long))
        self.tau0, self.tau_min, self.anneal = 1.0, 0.1, 3e-2

    def temperature(self):
        return max(self.tau_min, self.tau0 * math.exp(-self.anneal * int(self.step)))

    def sample(self, logits, tau):
        u = torch.rand_like(logits)
        g = -torch.log(-torch.log(u + 1e-20) + 1e-20)
        y = torch.exp((logits + g) / tau)
        return y / y.sum(-1, keepdim=True)

    def forward(self, x):
        logits = self.enc(x).view(-1, N_LATENT, N_CAT)
        z = self.sample(logits, self.temperature())
        if self.training:
            self.step += 1
        return self.dec(z.view(-1, N_LATENT * N_CAT)), logits


def build_model():
    return GumbelVAE()


def build_dataset():
    g = torch.Generator().manual_seed(4)
    n = 1024
    protos = (torch.rand(16, D_IN, generator=g) < 0.4).float()
    idx = torch.randint(0, 16, (n,), generator=g)
    flip = (torch.rand(n, D_IN, generator=g) < 0.05).float()
    x = (protos[idx] + flip) % 2
    return torch.utils.data.TensorDataset(x)


def compute_loss(model, batch):
    (x,) = batch
    recon_logits, logits = model(x)
    recon = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="sum") / x.shape[0]
    q = F.softmax(logits, -1)
    kl = (q * (F.log_softmax(logits, -1) + math.log(N_CAT))).sum((-1, -2)).mean()
    return {"recon": recon, "kl": kl}


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 300, "seed": 0}
