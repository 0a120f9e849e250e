import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

N_PRODUCTS = 40
VIEWS_PER_PRODUCT = 8
FEAT_DIM = 48
EMB_DIM = 32


def product_views(seed=0):
    g = torch.Generator().manual_seed(seed)
    prototypes = torch.randn(N_PRODUCTS, FEAT_DIM, generator=g) * 0.5
    feats, labels = [], []
    for pid in range(N_PRODUCTS):
        noise = torch.randn(VIEWS_PER_PRODUCT, FEAT_DIM, generator=g)
        feats.append(prototypes[pid] + noise)
        labels.append(torch.full((VIEWS_PER_PRODUCT,), pid))
    return torch.cat(feats), torch.cat(labels)


class Embedder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(FEAT_DIM, 128), nn.ReLU(), nn.Linear(128, EMB_DIM))

    def forward(self, x):
        return self.net(x)


def pairwise_distances(emb):
    sq = (emb * emb).sum(dim=1)
    d2 = sq.unsqueeze(0) - 2.0 * emb @ emb.t() + sq.unsqueeze(1)
    return d2.sqrt()


def batch_hard_triplet_loss(emb, labels, margin=1.0):
    dist_mat = pairwise_distances(emb)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    hardest_pos = (dist_mat * same.float()).max(dim=1).values
    hardest_neg = (dist_mat + 1e6 * same.float()).min(dim=1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


def sample_pk_batch(labels, p, k, g):
    products = torch.randperm(N_PRODUCTS, generator=g)[:p]
    idx = []
    for pid in products:
        members = (labels == pid).nonzero().squeeze(1)
        idx.append(members[torch.randperm(len(members), generator=g)[:k]])
    return torch.cat(idx)


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    feats, labels = product_views()
    model = DDP(Embedder())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(100 + rank)
    for step in range(40):
        idx = sample_pk_batch(labels, p=8, k=4, g=g)
        emb = model(feats[idx])
        loss = batch_hard_triplet_loss(emb, labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if rank == 0 and step % 5 == 0:
            print(f"step {step} triplet {loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
