import argparse

import torch
from torch import nn
import torch.nn.functional as F

POS = ["great", "excellent", "love", "perfect", "amazing", "recommend", "sturdy", "fast"]
NEG = ["broken", "refund", "awful", "slow", "cheap", "return", "disappointed", "worst"]
FILLER = ["the", "a", "it", "this", "product", "was", "is", "and", "very", "my", "after",
          "days", "box", "arrived", "battery", "screen", "price", "quality", "would", "not"]
VOCAB = ["<pad>", "<unk>"] + POS + NEG + FILLER + [f"w{i}" for i in range(2000)]
STOI = {w: i for i, w in enumerate(VOCAB)}


def synth_reviews(n, gen, max_len=24):
    rare = VOCAB[2 + len(POS) + len(NEG) + len(FILLER):]
    texts, labels = [], []
    for _ in range(n):
        label = int(torch.randint(0, 2, (1,), generator=gen))
        length = int(torch.randint(6, max_len, (1,), generator=gen))
        words = []
        for _ in range(length):
            r = float(torch.rand(1, generator=gen))
            if r < 0.2:
                pool = POS if label == 1 else NEG
            elif r < 0.3:
                pool = NEG if label == 1 else POS
            elif r < 0.8:
                pool = FILLER
            else:
                pool = rare
            words.append(pool[int(torch.randint(0, len(pool), (1,), generator=gen))])
        texts.append(words)
        labels.append(label)
    return texts, torch.tensor(labels)


def encode(texts, max_len=24):
    ids = torch.zeros(len(texts), max_len, dtype=torch.long)
    for i, words in enumerate(texts):
        toks = [STOI.get(w, 1) for w in words][:max_len]
        ids[i, :len(toks)] = torch.tensor(toks)
    return ids


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab_size, dim=64):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, 2))

    def forward(self, ids):
        mask = (ids != 0).unsqueeze(-1).to(self.emb.weight.dtype)
        pooled = (self.emb(ids) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.mlp(pooled)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    texts, labels = synth_reviews(1600, gen)
    ids = encode(texts)
    tr_ids, tr_y, va_ids, va_y = ids[:1280], labels[:1280], ids[1280:], labels[1280:]

    model = BagOfEmbeddings(len(VOCAB)).half()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(tr_ids))
        for i in range(0, len(perm), args.batch_size):
            j = perm[i:i + args.batch_size]
            logits = model(tr_ids[j])
            loss = F.cross_entropy(logits.float(), tr_y[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
        with torch.no_grad():
            acc = (model(va_ids).argmax(1) == va_y).float().mean().item()
        print(f"epoch {epoch} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
