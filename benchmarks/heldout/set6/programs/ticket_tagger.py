import argparse
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

TAGS = ["billing", "login", "app_error", "feature_request", "shipping", "refund"]
VOCAB = 500


class TicketDataset(Dataset):
    """Tokenised support tickets with multi-label tags."""

    def __init__(self, n=1500, seed=0):
        rng = random.Random(seed)
        self.items = []
        for _ in range(n):
            tags = [t for t in range(len(TAGS)) if rng.random() < 0.25] or [rng.randrange(len(TAGS))]
            length = rng.randint(5, 40)
            toks = []
            for _ in range(length):
                if rng.random() < 0.3:
                    t = rng.choice(tags)
                    toks.append(1 + t * 20 + rng.randrange(20))
                else:
                    toks.append(rng.randrange(121, VOCAB))
            target = torch.zeros(len(TAGS))
            target[tags] = 1.0
            self.items.append((torch.tensor(toks), target))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def pad_collate(batch):
    toks, targets = zip(*batch)
    lengths = torch.tensor([len(t) for t in toks])
    ids = torch.zeros(len(toks), int(lengths.max()), dtype=torch.long)
    for i, t in enumerate(toks):
        ids[i, : len(t)] = t
    return ids, lengths, torch.stack(targets)


class LayerNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(d))
        self.beta = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        std = x.std(-1, keepdim=True)
        return self.gamma * (x - mean) / std + self.beta


class Tagger(nn.Module):
    def __init__(self, d=64, n_tags=len(TAGS)):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d, padding_idx=0)
        self.norm = LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))
        self.out = nn.Linear(d, n_tags)

    def forward(self, ids, lengths):
        mask = (torch.arange(ids.shape[1])[None] < lengths[:, None]).float().unsqueeze(-1)
        h = self.norm(self.emb(ids))
        h = h + self.ff(h)
        pooled = (h * mask).sum(1) / lengths[:, None]
        return torch.sigmoid(self.out(pooled))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    full = TicketDataset()
    train, val = torch.utils.data.random_split(full, [1300, 200], generator=torch.Generator().manual_seed(0))
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, collate_fn=pad_collate,
                              generator=torch.Generator().manual_seed(1))
    val_loader = DataLoader(val, batch_size=100, collate_fn=pad_collate)
    model = Tagger()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        for ids, lengths, targets in train_loader:
            probs = model(ids, lengths)
            loss = F.binary_cross_entropy(probs, targets)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step:3d} bce {loss.item():.4f}")
            step += 1
        model.eval()
        with torch.no_grad():
            hits = total = 0
            for ids, lengths, targets in val_loader:
                pred = (model(ids, lengths) > 0.5).float()
                hits += (pred == targets).sum().item()
                total += targets.numel()
        print(f"== epoch {epoch} val label accuracy {hits / total:.3f}")


if __name__ == "__main__":
    main()
