import math
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(8)

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "pack my box with five dozen liquor jugs",
    "how vexingly quick daft zebras jump",
    "sphinx of black quartz judge my vow",
    "the five boxing wizards jump quickly",
    "jackdaws love my big sphinx of quartz",
    "a wizard's job is to vex chumps quickly in fog",
    "we promptly judged antique ivory buckles for the next prize",
]
chars = sorted(set("".join(CORPUS)))
PAD = 0
stoi = {c: i + 1 for i, c in enumerate(chars)}
VOCAB = len(chars) + 1
MAX_LEN = 64


def encode_batch(lines):
    L = max(len(s) for s in lines)
    ids = torch.full((len(lines), L), PAD, dtype=torch.long)
    for i, s in enumerate(lines):
        ids[i, : len(s)] = torch.tensor([stoi[c] for c in s])
    return ids


class MaskedSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h = n_heads
        self.dk = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x, key_padding):
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, self.dk).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.dk)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(causal, float("-inf"))
        scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        attn = scores.softmax(dim=-1)
        y = (attn @ v).transpose(1, 2).reshape(B, T, D)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = MaskedSelfAttention(d, h)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, pad):
        x = x + self.attn(self.ln1(x), pad)
        return x + self.ff(self.ln2(x))


class CharGPT(nn.Module):
    def __init__(self, d=48, h=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(MAX_LEN, d)
        self.blocks = nn.ModuleList([Block(d, h) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, ids):
        pad = ids == PAD
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for b in self.blocks:
            x = b(x, pad)
        return self.head(self.ln(x))


model = CharGPT()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
data = encode_batch(CORPUS)

for step in range(120):
    idx = torch.randint(0, len(CORPUS), (6,))
    ids = data[idx]
    ids = ids[:, : int((ids != PAD).sum(1).max())]
    inp, tgt = ids[:, :-1], ids[:, 1:].clone()
    tgt[tgt == PAD] = -100
    logits = model(inp)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt.reshape(-1), ignore_index=-100)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 20 == 0:
        print(f"step {step} loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    s = encode_batch(["the "])
    for _ in range(30):
        nxt = model(s)[:, -1].argmax(-1, keepdim=True)
        s = torch.cat([s, nxt], 1)
print("sample:", "".join(chars[i - 1] if i > 0 else "_" for i in s[0].tolist()))
