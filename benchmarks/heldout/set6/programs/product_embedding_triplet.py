import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_catalogue(n_classes=60, per_class=20, d=48, seed=0):
    """Pre-extracted image descriptors for product SKUs (a few photos per SKU)."""
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(n_classes, d, generator=g) * 1.5
    x = centers.repeat_interleave(per_class, 0) + torch.randn(n_classes * per_class, d, generator=g)
    y = torch.arange(n_classes).repeat_interleave(per_class)
    return x, y


class Embedder(nn.Module):
    def __init__(self, d_in=48, d_emb=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, d_emb),
        )

    def forward(self, x):
        return self.net(x)


def pairwise_distances(emb):
    diff = emb.unsqueeze(1) - emb.unsqueeze(0)
    return diff.pow(2).sum(-1).sqrt()


def batch_hard_triplet_loss(emb, labels, margin=0.3):
    dist = pairwise_distances(emb)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    hardest_pos = (dist * same.float()).max(dim=1).values
    hardest_neg = (dist + 1e6 * same.float()).min(dim=1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


def pk_batches(labels, p=8, k=4, generator=None):
    classes = labels.unique()
    order = classes[torch.randperm(len(classes), generator=generator)]
    for i in range(0, len(order) - p + 1, p):
        idx = []
        for c in order[i:i + p]:
            members = (labels == c).nonzero().flatten()
            idx.append(members[torch.randperm(len(members), generator=generator)[:k]])
        yield torch.cat(idx)


@torch.no_grad()
def recall_at_1(model, x, y):
    model.eval()
    emb = F.normalize(model(x), dim=1)
    sim = emb @ emb.T
    sim.fill_diagonal_(-2)
    nn_idx = sim.argmax(1)
    model.train()
    return (y[nn_idx] == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    x, y = make_catalogue()
    train_mask = y < 48
    xtr, ytr, xva, yva = x[train_mask], y[train_mask], x[~train_mask], y[~train_mask]
    model = Embedder()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    g = torch.Generator().manual_seed(1)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        losses = []
        for rounds in range(4):
            for idx in pk_batches(ytr, generator=g):
                loss = batch_hard_triplet_loss(model(xtr[idx]), ytr[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.item())
                if step % 5 == 0:
                    print(f"epoch {epoch} step {step:3d} triplet loss {loss.item():.4f}")
                step += 1
        print(f"== epoch {epoch} mean loss {sum(losses) / len(losses):.4f} val recall@1 {recall_at_1(model, xva, yva):.3f}")


if __name__ == "__main__":
    main()
