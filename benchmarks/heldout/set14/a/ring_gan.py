import math
import torch
from torch import nn

torch.manual_seed(2)
dtype = torch.float16


def sample_ring(n, modes=8, radius=2.0, std=0.05):
    k = torch.randint(0, modes, (n,))
    angle = 2 * math.pi * k.float() / modes
    centers = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    return centers + std * torch.randn(n, 2)


class Generator(nn.Module):
    def __init__(self, z_dim=16, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(z_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)


z_dim, batch = 16, 128
G = Generator(z_dim).to(dtype)
D = Discriminator().to(dtype)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
criterion = nn.BCEWithLogitsLoss()
ones = torch.ones(batch, 1, dtype=dtype)
zeros = torch.zeros(batch, 1, dtype=dtype)

for it in range(300):
    real = sample_ring(batch).to(dtype)
    z = torch.randn(batch, z_dim, dtype=dtype)
    fake = G(z)

    d_loss = criterion(D(real), ones) + criterion(D(fake.detach()), zeros)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()

    g_loss = criterion(D(fake), ones)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()

    if it % 25 == 0:
        spread = fake.float().norm(dim=1).mean().item()
        print(f"it {it:3d}  d_loss {d_loss.item():.4f}  g_loss {g_loss.item():.4f}  |fake| {spread:.3f}")
