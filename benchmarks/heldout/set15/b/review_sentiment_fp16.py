import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)

VOCAB = 3000
PAD = 0
MAX_LEN = 40


def synthetic_reviews(n=1024):
    lengths = torch.randint(8, MAX_LEN + 1, (n,))
    ids = torch.full((n, MAX_LEN), PAD, dtype=torch.long)
    labels = torch.randint(0, 2, (n,))
    for i in range(n):
        L = int(lengths[i])
        words = torch.randint(1, VOCAB, (L,))
        cue = torch.randint(1, 200, (L // 4,)) + (200 if labels[i] else 0)
        words[: L // 4] = cue
        ids[i, :L] = words[torch.randperm(L)]
    return ids, labels


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab=VOCAB, dim=64, hidden=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, ids):
        mask = (ids != PAD).unsqueeze(-1).to(self.embedding.weight.dtype)
        emb = self.embedding(ids)
        pooled = (emb * mask).sum(1) / mask.sum(1)
        return self.mlp(pooled)


ids, labels = synthetic_reviews()
train_ids, train_y = ids[:896], labels[:896]
val_ids, val_y = ids[896:], labels[896:]

model = BagOfEmbeddings().half()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

batch = 32
for epoch in range(3):
    perm = torch.randperm(len(train_ids))
    total = 0.0
    for b in range(0, len(perm), batch):
        idx = perm[b:b + batch]
        logits = model(train_ids[idx])
        loss = F.cross_entropy(logits.float(), train_y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    with torch.no_grad():
        acc = (model(val_ids).argmax(1) == val_y).float().mean().item()
    print(f"epoch {epoch}: train loss {total / len(train_ids):.4f}  val acc {acc:.3f}")
