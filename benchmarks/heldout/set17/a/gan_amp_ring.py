import math
import torch
from torch import nn

torch.manual_seed(1)
device = "cpu"


def sample_ring(n, k=8, radius=2.0, std=0.05):
    angles = torch.randint(0, k, (n,)).float() * (2 * math.pi / k)
    centers = torch.stack([radius * torch.cos(angles), radius * torch.sin(angles)], dim=1)
    return centers + std * torch.randn(n, 2)


class Generator(nn.Module):
    def __init__(self, z_dim=16, hidden=128):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2))

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return torch.sigmoid(self.net(x))


G, D = Generator().to(device), Discriminator().to(device)
opt_g = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
scaler = torch.amp.GradScaler(device)
batch, z_dim = 256, 16

for it in range(300):
    real = sample_ring(batch).to(device)
    z = torch.randn(batch, z_dim, device=device)

    with torch.autocast(device, dtype=torch.float16):
        fake = G(z)
        d_real = D(real)
        d_fake = D(fake.detach())
        loss_d = -(torch.log(d_real) + torch.log(1 - d_fake)).mean()
    opt_d.zero_grad()
    scaler.scale(loss_d).backward()
    scaler.step(opt_d)

    with torch.autocast(device, dtype=torch.float16):
        d_gen = D(fake)
        loss_g = -torch.log(d_gen).mean()
    opt_g.zero_grad()
    scaler.scale(loss_g).backward()
    scaler.step(opt_g)
    scaler.update()

    if it % 25 == 0:
        print(f"iter {it:4d}  loss_d {loss_d.item():.4f}  loss_g {loss_g.item():.4f}  "
              f"D(real) {d_real.float().mean().item():.3f}  D(fake) {d_fake.float().mean().item():.3f}  "
              f"scale {scaler.get_scale():.0f}")
