import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(13)
VOCAB, N_INTENTS, MAX_LEN, DIM = 800, 6, 24, 64


def make_split(n, seed):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(3, MAX_LEN + 1, (n,), generator=g)
    intents = torch.randint(0, N_INTENTS, (n,), generator=g)
    ids = torch.randint(1, VOCAB, (n, MAX_LEN), generator=g)
    ids[:, 0] = 1 + intents * 100 + torch.randint(0, 100, (n,), generator=g)
    pad = torch.arange(MAX_LEN)[None, :] >= lengths[:, None]
    ids[pad] = 0
    return ids, pad, intents


class AttnPoolClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM, padding_idx=0)
        self.q = nn.Linear(DIM, DIM)
        self.k = nn.Linear(DIM, DIM)
        self.v = nn.Linear(DIM, DIM)
        self.score = nn.Linear(DIM, 1)
        self.head = nn.Linear(DIM, N_INTENTS)

    def forward(self, ids, pad):
        h = self.embed(ids)
        att = self.q(h) @ self.k(h).transpose(1, 2) / DIM ** 0.5
        att = att.masked_fill(pad[:, None, :], float("-inf"))
        h = torch.softmax(att, dim=-1) @ self.v(h)
        w = self.score(h).squeeze(-1).masked_fill(pad, float("-inf"))
        pooled = (torch.softmax(w, dim=-1).unsqueeze(-1) * h).sum(1)
        return self.head(pooled)


def evaluate(model, ids, pad, y):
    model.eval()
    with torch.no_grad():
        logits = model(ids, pad)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


train = make_split(2000, 1)
val = make_split(400, 2)
model = AttnPoolClassifier()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
BATCH = 64

step = 0
for epoch in range(4):
    perm = torch.randperm(len(train[0]))
    for i in range(0, len(perm), BATCH):
        idx = perm[i:i + BATCH]
        logits = model(train[0][idx], train[1][idx])
        loss = F.cross_entropy(logits, train[2][idx])
        optimizer.zero_grad()
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        step += 1
    val_loss, val_acc = evaluate(model, *val)
    print(f"epoch {epoch}  train {loss.item():.4f}  grad_norm {grad_norm:.2f}  "
          f"val {val_loss:.4f}  acc {val_acc:.3f}")
