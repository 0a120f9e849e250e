import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(123)

N_MODES = 8
LATENT = 4


def sample_ring(n, radius=60.0, spread=0.8):
    k = torch.randint(0, N_MODES, (n,))
    ang = 2 * math.pi * k.float() / N_MODES
    centers = torch.stack([radius * torch.cos(ang), radius * torch.sin(ang)], dim=1)
    return centers + spread * torch.randn(n, 2)


def mlp(n_in, n_out, width=64):
    return nn.Sequential(nn.Linear(n_in, width), nn.LeakyReLU(0.2), nn.Linear(width, width), nn.LeakyReLU(0.2),
                         nn.Linear(width, n_out))


gen = mlp(LATENT, 2)
disc = mlp(2, 1)
g_opt = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
d_opt = torch.optim.Adam(disc.parameters(), lr=1e-3, betas=(0.5, 0.999))
g_sched = torch.optim.lr_scheduler.StepLR(g_opt, step_size=150, gamma=0.5)
d_sched = torch.optim.lr_scheduler.StepLR(d_opt, step_size=150, gamma=0.5)

batch = 256
for it in range(400):
    real = sample_ring(batch)
    z = torch.randn(batch, LATENT)
    fake = gen(z)

    d_real = disc(real)
    d_fake = disc(fake.detach())
    d_loss = -(F.logsigmoid(d_real).mean() + F.logsigmoid(-d_fake).mean())
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()

    g_loss = -F.logsigmoid(disc(fake)).mean()
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    g_sched.step()
    d_sched.step()

    if it % 50 == 0:
        print(f"iter {it:3d}  d_loss {d_loss.item():.3e}  g_loss {g_loss.item():.3f}  "
              f"D(real) logit max {d_real.max().item():.1f}  D(fake) logit min {d_fake.min().item():.1f}  "
              f"|fake| max {fake.abs().max().item():.1f}")
