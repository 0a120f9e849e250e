import math
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
VOCAB, CTX, D_MODEL, HEADS = 40, 32, 64, 4


def synthetic_corpus(n_tokens, seed):
    g = torch.Generator().manual_seed(seed)
    trans = torch.softmax(2.5 * torch.randn(VOCAB, VOCAB, generator=torch.Generator().manual_seed(123)), dim=1)
    toks = [0]
    for _ in range(n_tokens - 1):
        toks.append(int(torch.multinomial(trans[toks[-1]], 1, generator=g)))
    return torch.tensor(toks)


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)
        self.proj = nn.Linear(D_MODEL, D_MODEL)
        mask = torch.triu(torch.full((CTX, CTX), float("-inf")), diagonal=1)
        self.register_buffer("mask", mask)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, HEADS, C // HEADS).transpose(1, 2) for t in (q, k, v))
        att = q @ k.transpose(-2, -1) / math.sqrt(C // HEADS)
        att = att + self.mask[:T, :T]
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
        self.attn = CausalSelfAttention()
        self.mlp = nn.Sequential(nn.Linear(D_MODEL, 4 * D_MODEL), nn.GELU(), nn.Linear(4 * D_MODEL, D_MODEL))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D_MODEL)
        self.pos = nn.Parameter(torch.zeros(1, CTX, D_MODEL))
        self.blocks = nn.Sequential(Block(), Block())
        self.ln = nn.LayerNorm(D_MODEL)
        self.head = nn.Linear(D_MODEL, VOCAB)

    def forward(self, idx):
        x = self.tok(idx) + self.pos[:, :idx.size(1)]
        return self.head(self.ln(self.blocks(x)))


def batches(data, batch_size, g):
    starts = torch.randint(0, len(data) - CTX - 1, (batch_size,), generator=g)
    x = torch.stack([data[s:s + CTX] for s in starts])
    y = torch.stack([data[s + 1:s + CTX + 1] for s in starts])
    return x, y


train_data, val_data = synthetic_corpus(12000, 1), synthetic_corpus(3000, 2)
model = TinyLM()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
g = torch.Generator().manual_seed(0)

for epoch in range(4):
    model.train()
    for it in range(25):
        x, y = batches(train_data, 32, g)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, VOCAB), y.view(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        vg = torch.Generator().manual_seed(100)
        vl = [F.cross_entropy(model(x).view(-1, VOCAB), y.view(-1)).item()
              for x, y in (batches(val_data, 64, vg) for _ in range(5))]
    print(f"epoch {epoch}  train_loss {loss.item():.4f}  val_loss {sum(vl) / len(vl):.4f}  "
          f"val_ppl {math.exp(sum(vl) / len(vl)):.2f}")
