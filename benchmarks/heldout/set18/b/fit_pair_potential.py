import argparse
import torch
from torch import nn


def make_clusters(n_clusters, n_atoms, seed):
    g = torch.Generator().manual_seed(seed)
    pos = torch.rand(n_clusters, n_atoms, 3, generator=g) * 4.0
    diff = pos.unsqueeze(2) - pos.unsqueeze(1)
    r = diff.pow(2).sum(-1).sqrt() + torch.eye(n_atoms) * 10.0
    lj = 4.0 * ((1.0 / r) ** 12 - (1.0 / r) ** 6)
    lj = lj.clamp(max=5.0)
    energy = lj.triu(1).sum((1, 2))
    return pos, energy


class PairPotential(nn.Module):
    def __init__(self, cutoff=3.0, hidden=32):
        super().__init__()
        self.cutoff = cutoff
        self.log_sigma = nn.Parameter(torch.tensor(-1.0))
        self.log_eps = nn.Parameter(torch.tensor(-1.0))
        self.radial = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, pos):
        diff = pos.unsqueeze(2) - pos.unsqueeze(1)
        r = torch.sqrt((diff ** 2).sum(-1))
        sigma = self.log_sigma.exp()
        eps = self.log_eps.exp()
        sr6 = (sigma / r) ** 6
        pair = 4.0 * eps * (sr6 * sr6 - sr6) + self.radial(r.unsqueeze(-1)).squeeze(-1)
        inside = (r > 0) & (r < self.cutoff)
        pair = torch.where(inside, pair, torch.zeros_like(pair))
        return 0.5 * pair.sum((1, 2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    pos, energy = make_clusters(256, 6, seed=1)
    model = PairPotential()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(pos.shape[0])
        for i in range(0, pos.shape[0], args.batch_size):
            idx = perm[i:i + args.batch_size]
            pred = model(pos[idx])
            loss = nn.functional.mse_loss(pred, energy[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} sigma {model.log_sigma.exp().item():.4f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
