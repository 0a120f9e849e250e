import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)

# target distribution: 8 gaussians on a ring
centers = torch.tensor([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)]) * 4.0


def sample_real(n):
    idx = torch.randint(0, 8, (n,))
    return centers[idx] + 0.05 * torch.randn(n, 2)


G = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
D = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2),
                  nn.Linear(64, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-2, betas=(0.5, 0.999))

batch = 128
for it in range(250):
    real = sample_real(batch)
    z = torch.randn(batch, 8)
    fake = G(z)

    d_real = D(real)
    d_fake = D(fake.detach())
    loss_d = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
        F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()

    d_gen = D(fake)
    loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()

    if it % 25 == 0:
        print(f"iter {it} loss_D {loss_d.item():.3e} loss_G {loss_g.item():.3e} "
              f"D(real) logit {d_real.mean().item():.1f} D(fake) logit {d_fake.mean().item():.1f}")
print(f"final loss_D {loss_d.item():.3e} loss_G {loss_g.item():.3e}")
