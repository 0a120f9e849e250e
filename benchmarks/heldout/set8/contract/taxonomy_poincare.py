"""Poincare-ball embeddings of a product taxonomy (Nickel & Kiela, 2017).

Each training example is an (item, ancestor) pair from the transitive closure
plus a handful of sampled negatives; the loss is a softmax over negative
hyperbolic distances.
"""
import torch
from torch import nn
import torch.nn.functional as F

N_NEG = 10
BALL_EPS = 1e-5


def taxonomy_closure(branching=(3, 4, 4)):
    parents = {0: None}
    frontier, next_id = [0], 1
    for b in branching:
        new = []
        for p in frontier:
            for _ in range(b):
                parents[next_id] = p
                new.append(next_id)
                next_id += 1
        frontier = new
    pairs = []
    for node in parents:
        a = parents[node]
        while a is not None:
            pairs.append((node, a))
            a = parents[a]
    return next_id, pairs


class ClosurePairs(torch.utils.data.Dataset):
    def __init__(self, seed=5):
        self.n_nodes, pairs = taxonomy_closure()
        g = torch.Generator().manual_seed(seed)
        self.pairs = torch.tensor(pairs)
        self.negatives = torch.randint(0, self.n_nodes, (len(pairs), N_NEG), generator=g)

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, i):
        u, v = self.pairs[i]
        return u, torch.cat([v.view(1), self.negatives[i]])


class PoincareEmbedding(nn.Module):
    def __init__(self, n_nodes, dim=5):
        super().__init__()
        self.emb = nn.Embedding(n_nodes, dim)
        nn.init.uniform_(self.emb.weight, -1e-3, 1e-3)

    def project(self, x):
        norm = x.norm(dim=-1, keepdim=True)
        return x * torch.clamp((1 - BALL_EPS) / norm, max=1.0)

    def distance(self, u, v):
        sq_u = (u * u).sum(-1)
        sq_v = (v * v).sum(-1)
        sq_diff = ((u - v) ** 2).sum(-1)
        x = 1 + 2 * sq_diff / ((1 - sq_u) * (1 - sq_v))
        return torch.acosh(x)

    def forward(self, u_idx, cand_idx):
        u = self.project(self.emb(u_idx)).unsqueeze(1)
        c = self.project(self.emb(cand_idx))
        return self.distance(u.expand_as(c), c)


def build_model():
    n_nodes, _ = taxonomy_closure()
    return PoincareEmbedding(n_nodes)


def build_dataset():
    return ClosurePairs()


def compute_loss(model, batch):
    u, cands = batch
    dist = model(u, cands)
    target = torch.zeros(len(u), dtype=torch.long)
    return F.cross_entropy(-dist, target)


NANWIZ = {"lr": 0.01, "batch_size": 32, "steps": 200, "seed": 0}
