import argparse

import torch
from torch import nn
import torch.nn.functional as F


def render_sprites(n, size, gen):
    """Blobs at random positions / radii, intensities in [0, 1]."""
    ys, xs = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing="ij")
    cx = torch.rand(n, 1, 1, generator=gen) * (size - 4) + 2
    cy = torch.rand(n, 1, 1, generator=gen) * (size - 4) + 2
    r = torch.rand(n, 1, 1, generator=gen) * 3 + 1.5
    d2 = (xs - cx) ** 2 + (ys - cy) ** 2
    img = torch.sigmoid((r ** 2 - d2) / r)
    return img.unsqueeze(1)


class SpriteVAE(nn.Module):
    def __init__(self, size=16, latent=6):
        super().__init__()
        self.size = size
        self.enc = nn.Sequential(
            nn.Conv2d(1, 16, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(16, 32, 4, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * (size // 4) ** 2, 128), nn.ReLU(),
        )
        self.to_mu = nn.Linear(128, latent)
        self.to_logvar = nn.Linear(128, latent)
        self.dec_fc = nn.Sequential(nn.Linear(latent, 128), nn.ReLU(), nn.Linear(128, 32 * (size // 4) ** 2), nn.ReLU())
        self.dec = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 4, 2, 1),
        )

    def encode(self, x):
        h = self.enc(x)
        return self.to_mu(h), self.to_logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + std * torch.randn_like(std)

    def decode(self, z):
        h = self.dec_fc(z).view(-1, 32, self.size // 4, self.size // 4)
        return self.dec(h)

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def vae_loss(recon_logits, x, mu, logvar, beta):
    recon = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="sum") / x.shape[0]
    kld = -0.5 * torch.mean(torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1))
    return recon + beta * kld, recon, kld


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--beta", type=float, default=2000.0)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    data = render_sprites(1024, 16, gen)

    model = SpriteVAE()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(data))
        for i in range(0, len(data), args.batch_size):
            x = data[perm[i:i + args.batch_size]]
            recon_logits, mu, logvar = model(x)
            loss, recon, kld = vae_loss(recon_logits, x, mu, logvar, args.beta)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"ep {epoch} step {step} loss {loss.item():.3f} recon {recon.item():.3f} kld {kld.item():.4f}")
            step += 1


if __name__ == "__main__":
    main()
