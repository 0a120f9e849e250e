import argparse
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

PAD = 0


def build_corpus(n_lines=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "and", "slept"]
    lines = []
    for _ in range(n_lines):
        k = int(torch.randint(3, 8, (1,), generator=g))
        idx = torch.randint(0, len(words), (k,), generator=g)
        lines.append(" ".join(words[i] for i in idx) + ".")
    chars = sorted(set("".join(lines)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    max_len = max(len(l) for l in lines) + 1
    data = torch.full((n_lines, max_len), PAD, dtype=torch.long)
    for r, l in enumerate(lines):
        ids = [stoi[c] for c in l]
        data[r, :len(ids)] = torch.tensor(ids)
    return data, len(chars) + 1


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)

    def forward(self, x, pad_mask):
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        att = q @ k.transpose(-2, -1) / math.sqrt(D // self.heads)
        causal = torch.ones(T, T, dtype=torch.bool).triu(1)
        att = att.masked_fill(causal, float("-inf"))
        att = att.masked_fill(pad_mask[:, None, None, :] & ~torch.eye(T, dtype=torch.bool), float("-inf"))
        att = att.softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, pad_mask):
        x = x + self.attn(self.ln1(x), pad_mask)
        return x + self.mlp(self.ln2(x))


class CharLM(nn.Module):
    def __init__(self, vocab, d, heads, layers, max_len):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx):
        pad_mask = idx == PAD
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for b in self.blocks:
            x = b(x, pad_mask)
        return self.head(self.ln(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    args = p.parse_args()
    torch.manual_seed(0)
    data, vocab = build_corpus()
    model = CharLM(vocab, args.d_model, 4, 2, data.shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps)
    train = data[:32]
    for step in range(args.steps):
        inp, tgt = train[:, :-1], train[:, 1:]
        logits = model(inp)
        logp = F.log_softmax(logits, dim=-1)
        loss = F.nll_loss(logp.reshape(-1, vocab), tgt.reshape(-1), ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        gnorm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 30 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.6f} ppl {math.exp(loss.item()):.3f} grad_norm {gnorm:.3e} "
                  f"min_logp {logp.min().item():.1f}")


if __name__ == "__main__":
    main()
