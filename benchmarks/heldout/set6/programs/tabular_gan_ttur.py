import argparse

import torch
import torch.nn as nn


def real_batch(mix, batch_size):
    """Correlated 16-dim customer records (standardised), sampled from a fixed mixing matrix."""
    return torch.randn(batch_size, mix.shape[0]) @ mix + 1.0


class Generator(nn.Module):
    def __init__(self, z_dim=8, out_dim=16, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(), nn.Linear(hidden, out_dim))

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, in_dim=16, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1), nn.Sigmoid())

    def forward(self, x):
        return self.net(x)


def binary_cross_entropy(p, target):
    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=400)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--g-lr", type=float, default=2e-4)
    ap.add_argument("--d-lr", type=float, default=2e-3)  # two time-scale update rule
    ap.add_argument("--z-dim", type=int, default=8)
    args = ap.parse_args()

    torch.manual_seed(0)
    G, D = Generator(args.z_dim), Discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=args.g_lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.d_lr, betas=(0.5, 0.999))
    mix = torch.randn(16, 16) * 0.5
    ones = torch.ones(args.batch_size, 1)
    zeros = torch.zeros(args.batch_size, 1)

    for it in range(args.iters):
        real = real_batch(mix, args.batch_size)
        fake = G(torch.randn(args.batch_size, args.z_dim))

        d_loss = binary_cross_entropy(D(real), ones) + binary_cross_entropy(D(fake.detach()), zeros)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()

        g_loss = binary_cross_entropy(D(fake), ones)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()

        if it % 20 == 0:
            with torch.no_grad():
                gap = (fake.mean(0) - real.mean(0)).abs().mean().item()
            print(f"iter {it:4d} d_loss {d_loss.item():.4f} g_loss {g_loss.item():.4f} mean gap {gap:.3f}")


if __name__ == "__main__":
    main()
