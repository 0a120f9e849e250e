import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def glyphs(n=4096, seed=0):
    """Binary 8x8 glyph bitmaps built from random strokes."""
    g = torch.Generator().manual_seed(seed)
    img = torch.zeros(n, 8, 8)
    rows = torch.randint(0, 8, (n, 2), generator=g)
    cols = torch.randint(0, 8, (n, 2), generator=g)
    for i in range(n):
        img[i, rows[i, 0], :] = 1
        img[i, :, cols[i, 0]] = 1
        if rows[i, 1] % 2 == 0:
            img[i, rows[i, 1], cols[i, 1]:] = 1
    flip = torch.rand(n, 8, 8, generator=g) < 0.03
    return torch.where(flip, 1 - img, img).view(n, 64)


class VAE(nn.Module):
    def __init__(self, d=64, hidden=256, z=8):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, 2 * z))
        self.dec = nn.Sequential(nn.Linear(z, hidden), nn.ReLU(), nn.Linear(hidden, d))

    def forward(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


def vae_loss(logits, x, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits.float(), x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar.float() - mu.float() ** 2 - logvar.float().exp())
    return rec + kld


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    x = glyphs()
    loader = DataLoader(TensorDataset(x), batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(args.epochs):
        total = 0.0
        for (xb,) in loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits, mu, logvar = model(xb)
                loss = vae_loss(logits, xb, mu, logvar)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(opt)
            scaler.update()
            total += loss.item()
            if step < 12 or step % 10 == 0:
                print(f"epoch {epoch} step {step:3d} loss/img {loss.item() / len(xb):.3f} "
                      f"grad_norm {grad_norm.item():.1f} scale {scaler.get_scale():.0f}")
            step += 1
        print(f"== epoch {epoch} mean loss/img {total / len(x):.3f}")


if __name__ == "__main__":
    main()
