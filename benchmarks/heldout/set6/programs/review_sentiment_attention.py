import argparse
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

VOCAB = 300
POSITIVE = set(range(10, 30))
NEGATIVE = set(range(30, 50))


class Reviews(Dataset):
    def __init__(self, n=1000, seed=0):
        rng = random.Random(seed)
        self.items = []
        for _ in range(n):
            length = rng.randint(1, 30)
            toks = [rng.randrange(50, VOCAB) for _ in range(length)]
            label = rng.random() < 0.5
            for _ in range(max(1, length // 5)):
                pool = POSITIVE if label else NEGATIVE
                toks[rng.randrange(length)] = rng.choice(sorted(pool))
            self.items.append((torch.tensor(toks), int(label)))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    toks, labels = zip(*batch)
    n = max(len(t) for t in toks)
    ids = torch.zeros(len(toks), n, dtype=torch.long)
    valid = torch.zeros(len(toks), n, dtype=torch.bool)
    for i, t in enumerate(toks):
        ids[i, : len(t)] = t
        valid[i, : len(t)] = True
    return ids, valid, torch.tensor(labels)


class SelfAttention(nn.Module):
    def __init__(self, d, heads=4):
        super().__init__()
        self.h, self.dk = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, valid):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.h, self.dk).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.dk)
        scores = scores.masked_fill(~valid[:, None, None, :], float("-inf"))
        attn = F.softmax(scores, dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(out)


class Classifier(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d, padding_idx=0)
        self.pos = nn.Embedding(64, d)
        self.attn = SelfAttention(d)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.head = nn.Linear(d, 2)

    def forward(self, ids, valid):
        x = self.emb(ids) + self.pos(torch.arange(ids.shape[1]))
        x = x + self.attn(self.norm1(x), valid)
        x = x + self.ff(self.norm2(x))
        m = valid.unsqueeze(-1).float()
        pooled = (x * m).sum(1) / m.sum(1)
        return self.head(pooled)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    ds = Reviews()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, collate_fn=collate,
                        generator=torch.Generator().manual_seed(0))
    model = Classifier()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        correct = seen = 0
        for ids, valid, y in loader:
            logits = model(ids, valid)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            if step % 20 == 0:
                print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f}")
            step += 1
        print(f"== epoch {epoch} train acc {correct / seen:.3f}")


if __name__ == "__main__":
    main()
