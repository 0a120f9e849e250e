import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=150)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--n-bins", type=int, default=64)
parser.add_argument("--latent", type=int, default=12)
parser.add_argument("--enc-lr", type=float, default=1e-3)
parser.add_argument("--dec-lr", type=float, default=5e-4)
parser.add_argument("--compress", type=float, default=0.3)
args = parser.parse_args()

torch.manual_seed(7)


def synth_spectra(n, n_bins):
    freqs = torch.linspace(0, 1, n_bins)
    f0 = torch.rand(n, 1) * 0.15 + 0.05
    spec = torch.zeros(n, n_bins)
    for h in range(1, 6):
        spec += torch.exp(-((freqs - h * f0) ** 2) / 2e-4) / h
    spec += 0.02 * torch.rand(n, n_bins)
    return spec * (torch.rand(n, 1) * 4 + 0.5)


def compress(mag, p):
    return torch.where(mag > 0, mag.pow(p), torch.zeros_like(mag))


encoder = nn.Sequential(nn.Linear(args.n_bins, 128), nn.GELU(), nn.Linear(128, args.latent))
decoder = nn.Sequential(nn.Linear(args.latent, 128), nn.GELU(), nn.Linear(128, args.n_bins))
enc_opt = torch.optim.Adam(encoder.parameters(), lr=args.enc_lr)
dec_opt = torch.optim.Adam(decoder.parameters(), lr=args.dec_lr)

data = synth_spectra(4096, args.n_bins)

for step in range(args.steps):
    idx = torch.randint(0, data.shape[0], (args.batch_size,))
    spec = data[idx]
    recon = decoder(encoder(spec))
    loss = (compress(recon, args.compress) - compress(spec, args.compress)).abs().mean()

    enc_opt.zero_grad()
    dec_opt.zero_grad()
    loss.backward()
    enc_opt.step()
    dec_opt.step()

    if step % 10 == 0:
        with torch.no_grad():
            mse = (recon - spec).pow(2).mean()
        print(f"step {step:4d}  loss {loss.item():.4f}  mse {mse.item():.4f}")
