import math

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(7)
DTYPE = torch.float16  # halves memory for the big sweep runs
Z_DIM = 8
BATCH = 128
STEPS = 300


def sample_ring(n, modes=8, radius=2.0, std=0.05):
    k = torch.randint(0, modes, (n,))
    ang = 2 * math.pi * k.float() / modes
    centers = torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], dim=1)
    return centers + std * torch.randn(n, 2)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(Z_DIM, 128), nn.LeakyReLU(0.2),
            nn.Linear(128, 128), nn.LeakyReLU(0.2),
            nn.Linear(128, 2),
        )

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, 128), nn.LeakyReLU(0.2),
            nn.Linear(128, 128), nn.LeakyReLU(0.2),
            nn.Linear(128, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


G = Generator().to(DTYPE)
D = Discriminator().to(DTYPE)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))

ones = torch.ones(BATCH, dtype=DTYPE)
zeros = torch.zeros(BATCH, dtype=DTYPE)

for step in range(STEPS):
    real = sample_ring(BATCH).to(DTYPE)
    z = torch.randn(BATCH, Z_DIM, dtype=DTYPE)
    fake = G(z)

    d_loss = F.binary_cross_entropy_with_logits(D(real), ones) + \
        F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()

    g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()

    if step % 25 == 0:
        with torch.no_grad():
            r = G(torch.randn(512, Z_DIM, dtype=DTYPE)).float().norm(dim=1)
        print(f"step {step:4d} d_loss {d_loss.item():.4f} g_loss {g_loss.item():.4f} "
              f"mean radius {r.mean().item():.3f}")
