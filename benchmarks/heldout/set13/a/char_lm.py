import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD = 0


def parse_args():
    p = argparse.ArgumentParser(description="tiny character language model")
    p.add_argument("--steps", type=int, default=90)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def make_corpus(n, max_len, vocab, g):
    seqs = []
    for _ in range(n):
        L = int(torch.randint(6, max_len + 1, (1,), generator=g))
        start = int(torch.randint(1, vocab, (1,), generator=g))
        seq = [(start + 3 * k) % (vocab - 1) + 1 for k in range(L)]
        seqs.append(torch.tensor(seq))
    return seqs


def batchify(seqs, max_len):
    out = torch.full((len(seqs), max_len), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = s
    return out


class CausalSelfAttention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, key_pad):
        B, T, D = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q, k, v = (t.view(B, T, self.h, D // self.h).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(D // self.h)
        causal = torch.ones(T, T, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(causal, float("-inf"))
        scores = scores.masked_fill(key_pad[:, None, None, :], float("-inf"))
        att = scores.softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.att = CausalSelfAttention(d, h)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, key_pad):
        x = x + self.att(self.ln1(x), key_pad)
        return x + self.ff(self.ln2(x))


class CharLM(nn.Module):
    def __init__(self, vocab, d, h, max_len):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.blocks = nn.ModuleList([Block(d, h) for _ in range(2)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx):
        key_pad = idx == PAD
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for b in self.blocks:
            x = b(x, key_pad)
        return self.head(self.ln(x))


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    vocab, max_len = 40, 24
    corpus = make_corpus(2000, max_len, vocab, g)
    model = CharLM(vocab, args.d_model, args.heads, max_len)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    for step in range(args.steps):
        idx = torch.randint(0, len(corpus), (args.batch_size,), generator=g)
        batch = batchify([corpus[i] for i in idx], max_len)
        logits = model(batch[:, :-1])
        targets = batch[:, 1:]
        loss = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1), ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 15 == 0:
            print(f"step {step} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
