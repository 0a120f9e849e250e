import math
import torch
import torch.nn as nn
import torch.nn.functional as F

TEXT = (
    "the quick brown fox jumps over the lazy dog. "
    "pack my box with five dozen liquor jugs. "
    "how vexingly quick daft zebras jump! "
    "sphinx of black quartz, judge my vow. "
) * 20
chars = sorted(set(TEXT)) + ["<pad>"]
stoi = {c: i for i, c in enumerate(chars)}
PAD = stoi["<pad>"]
V = len(chars)


class CausalSelfAttention(nn.Module):
    def __init__(self, d, n_heads):
        super().__init__()
        self.h = n_heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, key_pad):
        B, T, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=2)
        q = q.view(B, T, self.h, -1).transpose(1, 2)
        k = k.view(B, T, self.h, -1).transpose(1, 2)
        v = v.view(B, T, self.h, -1).transpose(1, 2)
        att = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        att = att.masked_fill(causal, float("-inf"))
        att = att.masked_fill(key_pad[:, None, None, :], float("-inf"))
        self.last_scores = att.detach()
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d, n_heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, n_heads)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, key_pad):
        x = x + self.attn(self.ln1(x), key_pad)
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, d=64, n_heads=4, n_layers=2, block=48):
        super().__init__()
        self.tok = nn.Embedding(V, d)
        self.pos = nn.Embedding(block, d)
        self.blocks = nn.ModuleList(Block(d, n_heads) for _ in range(n_layers))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, V)

    def forward(self, idx):
        key_pad = idx == PAD
        x = self.tok(idx) + self.pos(torch.arange(idx.size(1)))
        for b in self.blocks:
            x = b(x, key_pad)
        return self.head(self.ln(x))


def get_batch(g, B=16, T=48):
    data = torch.tensor([stoi[c] for c in TEXT])
    starts = torch.randint(0, len(data) - T - 1, (B,), generator=g)
    x = torch.stack([data[s:s + T] for s in starts])
    y = torch.stack([data[s + 1:s + T + 1] for s in starts])
    lengths = torch.randint(T // 2, T + 1, (B,), generator=g)
    for i, L in enumerate(lengths.tolist()):
        x[i, L:] = PAD
        y[i, L:] = -100
    return x, y


torch.manual_seed(0)
g = torch.Generator().manual_seed(0)
model = TinyGPT()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
for it in range(60):
    x, y = get_batch(g)
    logits = model(x)
    loss = F.cross_entropy(logits.view(-1, V), y.view(-1), ignore_index=-100)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if it % 10 == 0:
        s = model.blocks[0].attn.last_scores
        print(f"it {it} loss {loss.item():.4f} min score {s.min().item()} "
              f"masked frac {torch.isinf(s).float().mean().item():.2f}")
print("final loss", loss.item())
