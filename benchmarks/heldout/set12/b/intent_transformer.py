import math

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD = 0
VOCAB = 300
N_INTENTS = 5


def make_utterances(n=800, seed=0):
    g = torch.Generator().manual_seed(seed)
    seqs, labels = [], []
    for _ in range(n):
        intent = int(torch.randint(0, N_INTENTS, (1,), generator=g))
        length = int(torch.randint(1, 24, (1,), generator=g))
        toks = torch.randint(1, VOCAB, (length,), generator=g)
        # intent keyword somewhere in the utterance
        toks[int(torch.randint(0, length, (1,), generator=g))] = 1 + intent * 7
        seqs.append(toks)
        labels.append(intent)
    return seqs, torch.tensor(labels)


def pad_batch(seqs, max_len=24):
    out = torch.full((len(seqs), max_len), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = s
    return out


class SelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x, key_padding_mask):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, self.d_head).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        attn = scores.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(out)


class Block(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = SelfAttention(d_model, n_heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x, key_padding_mask):
        x = x + self.attn(self.ln1(x), key_padding_mask)
        return x + self.ff(self.ln2(x))


class IntentClassifier(nn.Module):
    def __init__(self, d_model=32, n_heads=4, n_layers=2, max_len=24):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_heads) for _ in range(n_layers)])
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, N_INTENTS)

    def forward(self, tokens):
        pad_mask = tokens == PAD
        x = self.tok(tokens) + self.pos(torch.arange(tokens.shape[1]))
        for blk in self.blocks:
            x = blk(x, pad_mask)
        x = self.ln(x)
        keep = (~pad_mask).unsqueeze(-1).float()
        pooled = (x * keep).sum(1) / keep.sum(1)
        return self.head(pooled)


def main():
    torch.manual_seed(0)
    seqs, labels = make_utterances()
    tokens = pad_batch(seqs)
    train_x, train_y = tokens[:640], labels[:640]
    val_x, val_y = tokens[640:], labels[640:]

    model = IntentClassifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    total_steps, warmup = 60, 10
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total_steps - s) / (total_steps - warmup)) if s >= warmup
        else (s + 1) / warmup)

    step = 0
    for epoch in range(3):
        perm = torch.randperm(len(train_x))
        for i in range(0, len(train_x), 32):
            idx = perm[i:i + 32]
            logits = model(train_x[idx])
            loss = F.cross_entropy(logits, train_y[idx])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
        model.eval()
        with torch.no_grad():
            acc = (model(val_x).argmax(-1) == val_y).float().mean().item()
        model.train()
        print(f"epoch {epoch} step {step} loss {loss.item():.4f} val acc {acc:.3f}")


if __name__ == "__main__":
    main()
