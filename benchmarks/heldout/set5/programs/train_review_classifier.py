import argparse
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--vocab", type=int, default=300)
args = parser.parse_args()

random.seed(0)
torch.manual_seed(0)

POS_WORDS = list(range(10, 40))
NEG_WORDS = list(range(40, 70))
STOPWORDS = set(range(0, 10))


def make_review(rng):
    label = rng.random() < 0.5
    length = rng.choice([0, 1, 2, 3] + list(range(5, 40)) * 3)
    words = []
    for _ in range(length):
        r = rng.random()
        if r < 0.25:
            words.append(rng.choice(POS_WORDS if label else NEG_WORDS))
        elif r < 0.45:
            words.append(rng.choice(sorted(STOPWORDS)))
        else:
            words.append(rng.randrange(70, args.vocab))
    return words, int(label)


class Reviews(Dataset):
    def __init__(self, n, seed):
        rng = random.Random(seed)
        docs = [make_review(rng) for _ in range(n)]
        self.bows = torch.zeros(n, args.vocab)
        self.labels = torch.tensor([label for _, label in docs])
        for i, (words, _) in enumerate(docs):
            kept = [w for w in words if w not in STOPWORDS]
            if kept:
                self.bows[i] += torch.bincount(torch.tensor(kept), minlength=args.vocab).float()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.bows[i], self.labels[i]


class FeatureNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(dim))
        self.shift = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        sigma = x.std(-1, keepdim=True)
        return self.gain * (x - mu) / sigma + self.shift


class BowClassifier(nn.Module):
    def __init__(self, vocab, hidden=64):
        super().__init__()
        self.proj = nn.Linear(vocab, hidden, bias=False)
        self.norm = FeatureNorm(hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, bow):
        h = F.relu(self.proj(torch.log1p(bow)))
        return self.out(self.norm(h))


train_ds = Reviews(1500, seed=1)
loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
model = BowClassifier(args.vocab)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)

step = 0
for epoch in range(args.epochs):
    correct, seen = 0, 0
    for bow, y in loader:
        logits = model(bow)
        loss = F.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        correct += (logits.argmax(-1) == y).sum().item()
        seen += len(y)
        if step % 10 == 0:
            print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f}")
        step += 1
    print(f"epoch {epoch} train acc {correct / seen:.3f}")
