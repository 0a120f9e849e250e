import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def load_features(n=1025, d=24, seed=0):
    g = torch.Generator().manual_seed(seed)
    latent = torch.randn(n, 6, generator=g)
    mix = torch.randn(6, d, generator=g)
    return latent @ mix + 0.1 * torch.randn(n, d, generator=g)


def augment(x, p_drop=0.2, noise=0.1):
    keep = (torch.rand_like(x) > p_drop).float()
    return x * keep + noise * torch.randn_like(x)


class Encoder(nn.Module):
    def __init__(self, d_in=24, hidden=128, d_out=64):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(d_in, hidden), nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, hidden))
        self.projector = nn.Sequential(nn.ReLU(), nn.Linear(hidden, d_out))

    def forward(self, x):
        return self.projector(self.backbone(x))


def off_diagonal(m):
    n = m.shape[0]
    return m.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def vicreg_loss(z1, z2, sim_w=25.0, var_w=25.0, cov_w=1.0):
    n, d = z1.shape
    inv = F.mse_loss(z1, z2)
    z1 = z1 - z1.mean(dim=0)
    z2 = z2 - z2.mean(dim=0)
    std1 = torch.sqrt(z1.var(dim=0) + 1e-4)
    std2 = torch.sqrt(z2.var(dim=0) + 1e-4)
    var = F.relu(1 - std1).mean() / 2 + F.relu(1 - std2).mean() / 2
    cov1 = (z1.T @ z1) / (n - 1)
    cov2 = (z2.T @ z2) / (n - 1)
    cov = off_diagonal(cov1).pow(2).sum() / d + off_diagonal(cov2).pow(2).sum() / d
    return sim_w * inv + var_w * var + cov_w * cov


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    X = load_features()
    X = (X - X.mean(0)) / X.std(0)
    model = Encoder(d_in=X.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-5)

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(X))
        running = 0.0
        n_batches = 0
        for i in range(0, len(X), args.batch_size):
            xb = X[perm[i:i + args.batch_size]]
            z1, z2 = model(augment(xb)), model(augment(xb))
            loss = vicreg_loss(z1, z2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            n_batches += 1
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
        print(f"== epoch {epoch} avg loss {running / n_batches:.4f}")


if __name__ == "__main__":
    main()
