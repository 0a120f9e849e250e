import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=200)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--z-dim", type=int, default=4)
parser.add_argument("--g-lr", type=float, default=2e-3)
parser.add_argument("--d-lr", type=float, default=2e-3)
args = parser.parse_args()

torch.manual_seed(17)

MODES = torch.tensor([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.0], [0.0, -2.0]])


def real_batch(n):
    k = torch.randint(0, len(MODES), (n,))
    return MODES[k] + 0.15 * torch.randn(n, 2)


G = nn.Sequential(nn.Linear(args.z_dim, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 2))
D = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=args.g_lr, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=args.d_lr, betas=(0.5, 0.999))

ones = torch.ones(args.batch_size, 1)
zeros = torch.zeros(args.batch_size, 1)

for step in range(args.steps):
    real = real_batch(args.batch_size)
    fake = G(torch.randn(args.batch_size, args.z_dim))

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
            sample = G(torch.randn(512, args.z_dim))
            nearest = torch.cdist(sample, MODES).argmin(1)
            coverage = torch.bincount(nearest, minlength=len(MODES)).tolist()
        print(f"step {step:4d}  d_loss {d_loss.item():.4f}  g_loss {g_loss.item():.4f}  modes {coverage}")
