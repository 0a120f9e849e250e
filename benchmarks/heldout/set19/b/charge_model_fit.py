import argparse
import torch
import torch.nn as nn

MAX_ATOMS = 8
NUM_ELEMENTS = 5


def make_molecules(n_mol, seed=0):
    g = torch.Generator().manual_seed(seed)
    species = torch.zeros(n_mol, MAX_ATOMS, dtype=torch.long)
    coords = torch.zeros(n_mol, MAX_ATOMS, 3)
    atom_mask = torch.zeros(n_mol, MAX_ATOMS, dtype=torch.bool)
    counts = torch.randint(4, MAX_ATOMS + 1, (n_mol,), generator=g)
    for m in range(n_mol):
        n = int(counts[m])
        species[m, :n] = torch.randint(1, NUM_ELEMENTS, (n,), generator=g)
        coords[m, :n] = torch.randn(n, 3, generator=g) * 1.5
        atom_mask[m, :n] = True
    return species, coords, atom_mask


class PairChargeModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.charge = nn.Embedding(NUM_ELEMENTS, 1)
        nn.init.normal_(self.charge.weight, 0.0, 0.3)
        self.cutoff = 6.0

    def forward(self, species, coords, atom_mask):
        q = self.charge(species).squeeze(-1)
        diff = coords.unsqueeze(2) - coords.unsqueeze(1)
        r = (diff ** 2).sum(-1).sqrt()
        eye = torch.eye(MAX_ATOMS, dtype=torch.bool).unsqueeze(0)
        pair_mask = atom_mask.unsqueeze(2) & atom_mask.unsqueeze(1) & ~eye
        pair_mask = pair_mask & (r < self.cutoff)
        qq = q.unsqueeze(2) * q.unsqueeze(1)
        coulomb = qq / r
        pair_energy = torch.where(pair_mask, coulomb * torch.exp(-r / self.cutoff), torch.zeros_like(r))
        return 0.5 * pair_energy.sum(dim=(1, 2))


def reference_energy(species, coords, atom_mask):
    true_q = torch.tensor([0.0, 0.4, -0.3, 0.2, -0.5])
    q = true_q[species] * atom_mask
    diff = coords.unsqueeze(2) - coords.unsqueeze(1)
    valid = atom_mask.unsqueeze(2) & atom_mask.unsqueeze(1) & ~torch.eye(MAX_ATOMS, dtype=torch.bool)
    r = (diff ** 2).sum(-1).sqrt()
    r = torch.where(valid, r, torch.ones_like(r))
    e = (q.unsqueeze(2) * q.unsqueeze(1) / r) * valid
    return 0.5 * e.sum(dim=(1, 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-2)
    args = parser.parse_args()

    torch.manual_seed(0)
    species, coords, atom_mask = make_molecules(96)
    energies = reference_energy(species, coords, atom_mask)

    model = PairChargeModel()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step = 0
    for epoch in range(args.epochs):
        for i in range(0, len(species), args.batch_size):
            sp = species[i:i + args.batch_size]
            xyz = coords[i:i + args.batch_size]
            am = atom_mask[i:i + args.batch_size]
            target = energies[i:i + args.batch_size]
            pred = model(sp, xyz, am)
            loss = nn.functional.mse_loss(pred, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 2 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.5f}")
            step += 1
    print("final charges", model.charge.weight.detach().squeeze().tolist())


if __name__ == "__main__":
    main()
