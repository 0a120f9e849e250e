import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)

LATENT = 16


def ring_batch(n, modes=8, radius=2.0, std=0.02):
    k = torch.randint(0, modes, (n,))
    angle = 2 * math.pi * k.float() / modes
    centers = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    return centers + std * torch.randn(n, 2)


def mlp(inp, out, hidden=64):
    return nn.Sequential(nn.Linear(inp, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, out))


def main():
    gen, disc = mlp(LATENT, 2), mlp(2, 1)
    g_opt = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    scaler = torch.amp.GradScaler("cpu")
    bs = 128
    for it in range(300):
        real = ring_batch(bs)
        z = torch.randn(bs, LATENT)
        with torch.autocast("cpu", dtype=torch.float16):
            fake = gen(z)
            d_real = disc(real)
            d_fake = disc(fake.detach())
            d_loss = F.softplus(-d_real).sum() + F.softplus(d_fake).sum()
        d_opt.zero_grad()
        scaler.scale(d_loss).backward()
        scaler.step(d_opt)

        with torch.autocast("cpu", dtype=torch.float16):
            g_loss = F.softplus(-disc(fake)).sum()
        g_opt.zero_grad()
        scaler.scale(g_loss).backward()
        scaler.step(g_opt)
        scaler.update()

        if it % 25 == 0:
            with torch.no_grad():
                sample = gen(torch.randn(2000, LATENT))
                radius = sample.norm(dim=1).mean().item()
            print(f"iter {it} d_loss {d_loss.item():.2f} g_loss {g_loss.item():.2f} "
                  f"scale {scaler.get_scale():.0f} mean_radius {radius:.3f}")


if __name__ == "__main__":
    main()
