import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

VOCAB = 300
PAD, CLS = 0, 1
MAX_LEN = 40
SEVERITIES = ["info", "warning", "error", "critical"]


class LogLineStream(IterableDataset):
    def __init__(self, n_lines, seed):
        self.n_lines = n_lines
        self.seed = seed

    def __iter__(self):
        info = get_worker_info()
        g = torch.Generator().manual_seed(self.seed + (info.id if info else 0))
        for _ in range(self.n_lines):
            severity = torch.randint(0, len(SEVERITIES), (1,), generator=g).item()
            length = torch.randint(3, MAX_LEN, (1,), generator=g).item()
            tokens = torch.randint(10, VOCAB, (length,), generator=g)
            keyword = 2 + 2 * severity + torch.randint(0, 2, (1,), generator=g)
            tokens[torch.randint(0, length, (1,), generator=g)] = keyword
            yield torch.cat([torch.tensor([CLS]), tokens]), severity


def pad_collate(batch):
    seqs, labels = zip(*batch)
    tokens = nn.utils.rnn.pad_sequence(list(seqs), batch_first=True, padding_value=PAD)
    return tokens, torch.tensor(labels)


class SelfAttentionBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, key_padding):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, d // self.heads).unbind(2)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        attn = scores.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(out)
        return x + self.mlp(self.norm2(x))


class SeverityClassifier(nn.Module):
    def __init__(self, dim=64, heads=4, layers=2):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(1, MAX_LEN + 1, dim))
        self.blocks = nn.ModuleList(SelfAttentionBlock(dim, heads) for _ in range(layers))
        self.head = nn.Linear(dim, len(SEVERITIES))

    def forward(self, tokens):
        key_padding = tokens == PAD
        x = self.embed(tokens) + self.pos[:, :tokens.shape[1]]
        for block in self.blocks:
            x = block(x, key_padding)
        return self.head(x[:, 0])


torch.manual_seed(2)
train_loader = DataLoader(LogLineStream(5000, seed=100), batch_size=32, collate_fn=pad_collate)
val_loader = DataLoader(LogLineStream(600, seed=999), batch_size=64, collate_fn=pad_collate)

model = SeverityClassifier()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)

for epoch in range(2):
    model.train()
    for step, (tokens, labels) in enumerate(train_loader):
        loss = F.cross_entropy(model(tokens), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 40 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for tokens, labels in val_loader:
            correct += (model(tokens).argmax(-1) == labels).sum().item()
            total += len(labels)
    print(f"epoch {epoch} val accuracy {correct / total:.3f}")
