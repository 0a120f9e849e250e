import math
import torch
from torch import nn
import torch.nn.functional as F

QUERY_DIM = 32
ITEM_DIM = 32
MAX_CANDIDATES = 20


class Reranker(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.query_tower = nn.Sequential(nn.Linear(QUERY_DIM, 128), nn.ReLU(), nn.Linear(128, dim))
        self.item_tower = nn.Sequential(nn.Linear(ITEM_DIM, 128), nn.ReLU(), nn.Linear(128, dim))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.01)))

    def forward(self, query, items, valid):
        q = F.normalize(self.query_tower(query), dim=-1)
        c = F.normalize(self.item_tower(items), dim=-1)
        scale = self.logit_scale.exp().clamp(max=100.0)
        scores = scale * torch.einsum("bd,bkd->bk", q, c)
        return scores.masked_fill(~valid, float("-inf"))


def build_model():
    return Reranker()


def build_dataset():
    g = torch.Generator().manual_seed(23)
    n = 1500
    query = torch.randn(n, QUERY_DIM, generator=g)
    items = torch.randn(n, MAX_CANDIDATES, ITEM_DIM, generator=g)
    n_valid = torch.randint(2, MAX_CANDIDATES + 1, (n,), generator=g)
    valid = torch.arange(MAX_CANDIDATES)[None, :] < n_valid[:, None]
    clicked = (torch.rand(n, generator=g) * n_valid).long()
    items[torch.arange(n), clicked] = query + 0.1 * torch.randn(n, QUERY_DIM, generator=g)
    items[~valid] = 0.0
    return torch.utils.data.TensorDataset(query, items, valid, clicked)


def compute_loss(model, batch):
    query, items, valid, clicked = batch
    scores = model(query, items, valid)
    return F.cross_entropy(scores, clicked)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 200, "seed": 0}
