"""Solubility regression with a dense-adjacency GCN; molecules are padded to a
fixed number of atoms so a batch is a (B, N, N) adjacency tensor."""
import torch
from torch import nn
import torch.nn.functional as F


MAX_ATOMS = 14
N_ATOM_FEAT = 9


class DenseGCNLayer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)

    def forward(self, h, adj):
        deg = adj.sum(-1)
        d_inv_sqrt = 1.0 / torch.sqrt(deg)
        a_norm = d_inv_sqrt.unsqueeze(-1) * adj * d_inv_sqrt.unsqueeze(-2)
        return F.relu(a_norm @ self.lin(h))


class SolubilityGCN(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.gc1 = DenseGCNLayer(N_ATOM_FEAT, d)
        self.gc2 = DenseGCNLayer(d, d)
        self.out = nn.Linear(d, 1)

    def forward(self, x, adj, atom_mask):
        h = self.gc2(self.gc1(x, adj), adj)
        h = (h * atom_mask.unsqueeze(-1)).sum(1) / atom_mask.sum(1, keepdim=True)
        return self.out(h).squeeze(-1)


def build_model():
    return SolubilityGCN()


class Molecules(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(13)
        self.items = []
        for _ in range(600):
            n = int(torch.randint(5, MAX_ATOMS + 1, (1,), generator=g))
            x = torch.zeros(n, N_ATOM_FEAT)
            x[torch.arange(n), torch.randint(0, N_ATOM_FEAT, (n,), generator=g)] = 1.0
            adj = torch.eye(n)  # self loops
            for i in range(1, n):  # random spanning tree
                j = int(torch.randint(0, i, (1,), generator=g))
                adj[i, j] = adj[j, i] = 1.0
            logs = 0.5 * x[:, :3].sum() - 0.3 * x[:, 3:].sum() + 0.1 * n
            self.items.append((x, adj, logs))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def build_dataset():
    return Molecules()


def collate_fn(samples):
    b = len(samples)
    x = torch.zeros(b, MAX_ATOMS, N_ATOM_FEAT)
    adj = torch.zeros(b, MAX_ATOMS, MAX_ATOMS)
    mask = torch.zeros(b, MAX_ATOMS)
    y = torch.zeros(b)
    for k, (xi, ai, yi) in enumerate(samples):
        n = xi.shape[0]
        x[k, :n], adj[k, :n, :n], mask[k, :n], y[k] = xi, ai, 1.0, yi
    return x, adj, mask, y


def compute_loss(model, batch):
    x, adj, mask, y = batch
    return F.mse_loss(model(x, adj, mask), y)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 150, "seed": 0}
