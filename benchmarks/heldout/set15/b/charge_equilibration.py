import argparse
import math

import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader


class ConformerSet(Dataset):
    """Small organic-like clusters with a reference electrostatic energy."""

    def __init__(self, n_mol=256, n_atoms=12, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.species = torch.randint(0, 4, (n_mol, n_atoms), generator=g)
        self.coords = torch.randn(n_mol, n_atoms, 3, generator=g) * 1.6
        ref_q = torch.tensor([0.35, -0.45, 0.12, -0.02])[self.species]
        ref_q = ref_q - ref_q.mean(dim=1, keepdim=True)
        r = torch.cdist(self.coords, self.coords) + torch.eye(n_atoms) * 1e6
        self.energy = 0.5 * (ref_q[:, :, None] * ref_q[:, None, :] / r).sum(dim=(1, 2))

    def __len__(self):
        return self.species.shape[0]

    def __getitem__(self, i):
        return self.species[i], self.coords[i], self.energy[i]


class ChargeNet(nn.Module):
    def __init__(self, n_species=4, width=64):
        super().__init__()
        self.embed = nn.Embedding(n_species, width)
        self.env = nn.Sequential(nn.Linear(width + 8, width), nn.SiLU(), nn.Linear(width, width), nn.SiLU())
        self.head = nn.Linear(width, 1)
        self.register_buffer("centers", torch.linspace(0.5, 4.0, 8))

    def forward(self, species, coords):
        diff = coords[:, :, None, :] - coords[:, None, :, :]
        dist = diff.pow(2).sum(-1).sqrt()
        n = species.shape[1]
        offdiag = ~torch.eye(n, dtype=torch.bool, device=coords.device)
        rbf = torch.exp(-(dist[..., None] - self.centers) ** 2) * offdiag[..., None]
        h = torch.cat([self.embed(species), rbf.sum(2)], dim=-1)
        q = self.head(self.env(h)).squeeze(-1)
        q = q - q.mean(dim=1, keepdim=True)
        qq = q[:, :, None] * q[:, None, :]
        coulomb = torch.where(offdiag, qq / dist, torch.zeros_like(dist))
        return 0.5 * coulomb.sum(dim=(1, 2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=16)
    args = p.parse_args()

    torch.manual_seed(0)
    ds = ConformerSet()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True)
    model = ChargeNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        for species, coords, energy in loader:
            pred = model(species, coords)
            loss = nn.functional.mse_loss(pred, energy)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.5f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
