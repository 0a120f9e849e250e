import math

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)

TEXT = ("the quick brown fox jumps over the lazy dog. " * 40
        + "pack my box with five dozen liquor jugs. " * 40)
CHARS = sorted(set(TEXT))
STOI = {c: i for i, c in enumerate(CHARS)}
DATA = torch.tensor([STOI[c] for c in TEXT])

BLOCK = 32
MICRO_BATCH = 8
ACCUM = 4
STEPS = 120


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.register_buffer("mask", torch.tril(torch.ones(BLOCK, BLOCK, dtype=torch.bool)))
        self.last_scores = None

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q = q.view(B, T, self.heads, -1).transpose(1, 2)
        k = k.view(B, T, self.heads, -1).transpose(1, 2)
        v = v.view(B, T, self.heads, -1).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        scores = scores.masked_fill(~self.mask[:T, :T], float("-inf"))
        self.last_scores = scores.detach()
        att = F.softmax(scores, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab, d=48, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.zeros(1, BLOCK, d))
        self.blocks = nn.Sequential(*[Block(d, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx):
        x = self.tok(idx) + self.pos[:, :idx.size(1)]
        return self.head(self.ln(self.blocks(x)))


def get_batch(offset):
    starts = (torch.arange(MICRO_BATCH) * 37 + offset * 11) % (len(DATA) - BLOCK - 1)
    x = torch.stack([DATA[s:s + BLOCK] for s in starts.tolist()])
    y = torch.stack([DATA[s + 1:s + BLOCK + 1] for s in starts.tolist()])
    return x, y


model = TinyGPT(len(CHARS))
opt = torch.optim.AdamW(model.parameters(), lr=5e-3, betas=(0.9, 0.95))
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10))

micro = 0
for step in range(STEPS):
    opt.zero_grad()
    total = 0.0
    for _ in range(ACCUM):
        x, y = get_batch(micro)
        micro += 1
        logits = model(x)
        logp = F.log_softmax(logits, dim=-1)
        loss = F.nll_loss(logp.view(-1, logp.size(-1)), y.view(-1)) / ACCUM
        loss.backward()
        total += loss.item()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 20 == 0 or step == STEPS - 1:
        s = model.blocks[0].attn.last_scores
        print(f"step {step:3d} loss {total:.6f} ppl {math.exp(total):.4f} "
              f"score range [{s.min().item()}, {s.max().item():.2f}] logit max {logits.abs().max().item():.1f} min logp {logp.min().item():.1f}")
