import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

PHRASES = [
    "turn left at the old mill",
    "the river runs north",
    "bread rises overnight",
    "keep the lantern lit",
    "meet me by the gate at dawn",
    "salt the road before frost",
    "two owls nest in the barn",
    "the ferry leaves at nine",
]
chars = sorted(set("".join(PHRASES)))
PAD, BOS, EOS = 0, 1, 2
stoi = {c: i + 3 for i, c in enumerate(chars)}
VOCAB = len(stoi) + 3
MAX_LEN = max(len(p) for p in PHRASES) + 2


def encode_batch(phrases):
    seqs = [[BOS] + [stoi[c] for c in p] + [EOS] for p in phrases]
    out = torch.full((len(seqs), MAX_LEN), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.tensor(s)
    return out


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x, key_padding):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_heads, -1).transpose(1, 2)
        k = k.view(B, T, self.n_heads, -1).transpose(1, 2)
        v = v.view(B, T, self.n_heads, -1).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(causal, float("-inf"))
        scores = scores.masked_fill(key_padding[:, None, None, :] & ~torch.eye(T, dtype=torch.bool), float("-inf"))
        att = torch.softmax(scores, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x, key_padding):
        x = x + self.attn(self.ln1(x), key_padding)
        return x + self.mlp(self.ln2(x))


class CharLM(nn.Module):
    def __init__(self, d_model=64, n_heads=4, n_layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Embedding(MAX_LEN, d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_heads) for _ in range(n_layers)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, VOCAB)

    def forward(self, idx):
        key_padding = idx == PAD
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x, key_padding)
        return self.head(self.ln_f(x))


data = encode_batch(PHRASES)
inputs, targets = data[:, :-1], data[:, 1:].clone()
targets[targets == PAD] = -100

model = CharLM()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
warmup = 20
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup))

for step in range(400):
    logits = model(inputs)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), ignore_index=-100)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    if step % 40 == 0 or step == 399:
        with torch.no_grad():
            logp = F.log_softmax(logits, dim=-1)
            min_logp = logp.min().item()
        print(f"step {step:3d} loss {loss.item():.6f} ppl {math.exp(loss.item()):.4f} min log-prob {min_logp:.1f}")

with torch.no_grad():
    seq = torch.tensor([[BOS]])
    for _ in range(MAX_LEN - 1):
        nxt = model(seq)[0, -1].argmax().item()
        if nxt == EOS:
            break
        seq = torch.cat([seq, torch.tensor([[nxt]])], dim=1)
itos = {i: c for c, i in stoi.items()}
print("greedy sample:", "".join(itos.get(i, "?") for i in seq[0, 1:].tolist()))
