import argparse
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader


class ClusterDataset(Dataset):
    """Small atomic clusters: per-atom descriptors and a total energy target."""

    def __init__(self, n_clusters=256, n_atoms=6, n_feat=8, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n_clusters, n_atoms, n_feat, generator=g)
        w = torch.randn(n_feat, generator=g)
        self.y = (self.x @ w).pow(2).sum(dim=1) / n_atoms

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class PairEnergyNet(nn.Module):
    def __init__(self, n_feat=8, hidden=32, emb=4):
        super().__init__()
        self.embed = nn.Sequential(nn.Linear(n_feat, hidden), nn.Tanh(), nn.Linear(hidden, emb))
        self.pair = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.atom = nn.Linear(emb, 1)

    def forward(self, x):
        h = self.embed(x)                                   # (B, A, E)
        diff = h.unsqueeze(2) - h.unsqueeze(1)              # (B, A, A, E)
        d2 = (diff * diff).sum(-1)                          # (B, A, A)
        dist = torch.where(d2 > 0, torch.sqrt(d2), torch.zeros_like(d2))
        e_pair = self.pair(dist.unsqueeze(-1)).squeeze(-1)  # (B, A, A)
        e_atom = self.atom(h).squeeze(-1)                   # (B, A)
        return (e_pair.sum(dim=(1, 2)) + e_atom.sum(dim=1)) / x.shape[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    ds = ClusterDataset()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = PairEnergyNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        for x, y in loader:
            opt.zero_grad()
            pred = model(x)
            loss = loss_fn(pred, y)
            loss.backward()
            opt.step()
            if step % 2 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
