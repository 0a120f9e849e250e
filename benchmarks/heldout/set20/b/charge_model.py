import argparse
import torch
import torch.nn as nn


class ChargeNet(nn.Module):
    def __init__(self, n_species=4, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(n_species, hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden + 3, hidden), nn.SiLU(), nn.Linear(hidden, 1))

    def forward(self, species, pos):
        center = pos - pos.mean(dim=1, keepdim=True)
        h = torch.cat([self.embed(species), center], dim=-1)
        q = self.mlp(h).squeeze(-1)
        return q - q.mean(dim=1, keepdim=True)


def electrostatic_energy(q, pos):
    diff = pos.unsqueeze(2) - pos.unsqueeze(1)
    r2 = (diff ** 2).sum(-1)
    n = pos.shape[1]
    offdiag = ~torch.eye(n, dtype=torch.bool).unsqueeze(0)
    qq = q.unsqueeze(2) * q.unsqueeze(1)
    pair = torch.where(offdiag, qq / r2, torch.zeros_like(r2))
    return 0.5 * pair.sum(dim=(1, 2))


def make_molecules(n_mol=256, n_atoms=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    species = torch.randint(0, 4, (n_mol, n_atoms), generator=g)
    pos = torch.randn(n_mol, n_atoms, 3, generator=g) * 1.5
    true_q = (species.float() - 1.5) * 0.3
    true_q = true_q - true_q.mean(dim=1, keepdim=True)
    diff = pos.unsqueeze(2) - pos.unsqueeze(1)
    r2 = (diff ** 2).sum(-1) + torch.eye(n_atoms)
    e = 0.5 * ((true_q.unsqueeze(2) * true_q.unsqueeze(1)) / r2 * (1 - torch.eye(n_atoms))).sum(dim=(1, 2))
    return species, pos, e


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    species, pos, energy = make_molecules()
    model = ChargeNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        for i in range(0, len(species), args.batch_size):
            s = species[i:i + args.batch_size]
            x = pos[i:i + args.batch_size]
            y = energy[i:i + args.batch_size]
            q = model(s, x)
            pred = electrostatic_energy(q, x)
            loss = ((pred - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 8 == 0:
                print(f"epoch {epoch} step {step} mse {loss.item():.5f}")
            step += 1
    print("finished")


if __name__ == "__main__":
    main()
