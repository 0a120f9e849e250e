import math
import torch
from torch import nn

torch.manual_seed(21)


def sample_ring(n, modes=8, radius=2.0, noise=0.05):
    k = torch.randint(0, modes, (n,))
    angle = 2 * math.pi * k.float() / modes
    centers = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    return centers + noise * torch.randn(n, 2)


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
            nn.Linear(2, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)


dtype = torch.float16
G = Generator().to(dtype)
D = Discriminator().to(dtype)
adam_cfg = dict(lr=2e-4, betas=(0.5, 0.999))
opt_g = torch.optim.Adam(G.parameters(), **adam_cfg)
opt_d = torch.optim.Adam(D.parameters(), **adam_cfg)
bce = nn.BCEWithLogitsLoss()
batch = 256

for it in range(300):
    real = sample_ring(batch).to(dtype)
    z = torch.randn(batch, 16, dtype=dtype)
    fake = G(z)

    d_real = D(real)
    d_fake = D(fake.detach())
    loss_d = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()

    d_out = D(fake)
    loss_g = bce(d_out, torch.ones_like(d_out))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()

    if it % 25 == 0:
        print(f"iter {it} loss_d {loss_d.item():.4f} loss_g {loss_g.item():.4f}")
