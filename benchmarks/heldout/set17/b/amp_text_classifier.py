import argparse

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


class ReviewDataset(Dataset):
    def __init__(self, n=1024, seq_len=48, vocab=2000, seed=21):
        g = torch.Generator().manual_seed(seed)
        self.tokens = torch.randint(1, vocab, (n, seq_len), generator=g)
        self.labels = (self.tokens[:, :8].float().mean(1) > vocab / 2).long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tokens[i], self.labels[i]


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab=2000, dim=128):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))

    def forward(self, tokens):
        return self.mlp(self.emb(tokens).sum(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--accum", type=int, default=4)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--max-norm", type=float, default=1.0)
    args = p.parse_args()

    torch.manual_seed(0)
    loader = DataLoader(ReviewDataset(), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    model = BagOfEmbeddings()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu")

    updates = 0
    for epoch in range(2):
        for i, (tokens, labels) in enumerate(loader):
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(tokens)
                loss = F.cross_entropy(logits, labels, reduction="sum") / args.accum
            scaler.scale(loss).backward()
            if (i + 1) % args.accum == 0:
                scaler.unscale_(optimizer)
                gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_norm)
                optimizer.step()
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
                updates += 1
                if updates % 4 == 0:
                    print(f"epoch {epoch} update {updates} loss {loss.item() * args.accum / len(labels):.4f} "
                          f"gnorm {gnorm.item():.3f} scale {scaler.get_scale():.0f}")


if __name__ == "__main__":
    main()
