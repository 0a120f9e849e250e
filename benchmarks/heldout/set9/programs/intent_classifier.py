import argparse
import math

import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

VOCAB = 300
INTENTS = ["balance", "transfer", "card_lost", "opening_hours"]


class UtteranceDataset(Dataset):
    def __init__(self, n, seq_len, seed):
        gen = torch.Generator().manual_seed(seed)
        self.tokens = torch.randint(4, VOCAB, (n, seq_len), generator=gen)
        self.labels = torch.randint(0, len(INTENTS), (n,), generator=gen)
        # each intent has a few keywords that show up somewhere in the utterance
        for i in range(n):
            pos = torch.randint(0, seq_len, (2,), generator=gen)
            self.tokens[i, pos] = 10 + 7 * self.labels[i] + torch.randint(0, 7, (2,), generator=gen)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.tokens[idx], self.labels[idx]


class SelfAttention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        scores = torch.bmm(x, x.transpose(1, 2))
        weights = F.softmax(scores, dim=2)
        return self.proj(torch.bmm(weights, x))


class IntentClassifier(nn.Module):
    def __init__(self, dim=256, seq_len=8):
        super().__init__()
        self.dim = dim
        self.embed = nn.Embedding(VOCAB, dim)
        self.pos = nn.Parameter(torch.zeros(seq_len, dim))
        self.attn = SelfAttention(dim)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, len(INTENTS))

    def forward(self, tokens):
        x = self.embed(tokens) * math.sqrt(self.dim) + self.pos
        x = self.norm(x + self.attn(x))
        return self.head(x.mean(dim=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    torch.manual_seed(0)
    data = UtteranceDataset(160, 8, seed=0)
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True)
    model = IntentClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(args.epochs):
        for tokens, labels in loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(tokens)
                loss = F.cross_entropy(logits, labels)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            if step % 10 == 0:
                acc = (logits.argmax(-1) == labels).float().mean().item()
                print(f"epoch {epoch} step {step:4d} loss {loss.item():.4f} acc {acc:.2f} scale {scaler.get_scale():.0f}")
            step += 1


if __name__ == "__main__":
    main()
