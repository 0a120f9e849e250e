import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)

VOCAB = 20
BOS, SEP, PAD = 1, 2, 0
MAX_SRC = 6
SEQ = 2 * MAX_SRC + 2


def make_batch(bs, g):
    ids = torch.full((bs, SEQ), PAD, dtype=torch.long)
    targets = torch.full((bs, SEQ), -100, dtype=torch.long)
    for b in range(bs):
        n = int(torch.randint(3, MAX_SRC + 1, (1,), generator=g))
        src = torch.randint(3, VOCAB, (n,), generator=g)
        seq = torch.cat([torch.tensor([BOS]), src, torch.tensor([SEP]), src.flip(0)])
        ids[b, :len(seq)] = seq
        targets[b, n + 1:len(seq) - 1] = seq[n + 2:]
    return ids, targets


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h, self.dk = h, d // h
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, attn_bias):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.h, self.dk).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.dk) + attn_bias
        att = scores.softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.proj(y)
        return x + self.mlp(self.ln2(x))


class ReverseLM(nn.Module):
    def __init__(self, d=64, h=4, n_layers=2):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.randn(SEQ, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, h) for _ in range(n_layers))
        self.ln = nn.LayerNorm(d)
        self.out = nn.Linear(d, VOCAB)

    def forward(self, ids):
        T = ids.size(1)
        causal = torch.full((T, T), float("-inf")).triu(1)
        pad = torch.zeros(ids.shape, dtype=torch.float).masked_fill(ids == PAD, float("-inf"))
        keep_self = torch.zeros(T, T).fill_diagonal_(1.0).bool()
        bias = (causal + pad[:, None, :]).masked_fill(keep_self, 0.0)[:, None]
        x = self.emb(ids) + self.pos[:T]
        for blk in self.blocks:
            x = blk(x, bias)
        return self.out(self.ln(x))


model = ReverseLM()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=5e-3, total_steps=400)
g = torch.Generator().manual_seed(5)

for step in range(400):
    ids, targets = make_batch(32, g)
    logits = model(ids)
    logp = F.log_softmax(logits, dim=-1)
    loss = F.nll_loss(logp.view(-1, VOCAB), targets.view(-1), ignore_index=-100)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 50 == 0 or step == 399:
        with torch.no_grad():
            seq_acc = ((logits.argmax(-1) == targets) | (targets == -100)).all(1).float().mean()
            min_logp = logp.min().item()
        print(f"step {step:3d} loss {loss.item():.3e} seq_acc {seq_acc:.3f} min_logprob {min_logp:.1f}")
