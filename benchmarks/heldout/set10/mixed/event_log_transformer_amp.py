import argparse
import math

import torch
from torch import nn
import torch.nn.functional as F

N_EVENTS = 40
PAD = 0


def session_stream(batch_size, max_len, gen):
    """Endless batches of user sessions: event ids, padded to max_len; label = churned or not."""
    churn_events = torch.tensor([3, 7, 11, 19])
    while True:
        lens = torch.randint(2, max_len + 1, (batch_size,), generator=gen)
        ids = torch.randint(1, N_EVENTS, (batch_size, max_len), generator=gen)
        positions = torch.arange(max_len).unsqueeze(0)
        ids = ids.masked_fill(positions >= lens.unsqueeze(1), PAD)
        hits = torch.isin(ids, churn_events).sum(1).float() / lens
        labels = (hits > 0.12).long()
        yield ids, lens, labels


class SelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h, self.dk = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, key_padding):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.h, self.dk).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.dk)
        scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        attn = scores.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(out)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = SelfAttention(d, heads)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, key_padding):
        x = x + self.attn(self.ln1(x), key_padding)
        return x + self.ff(self.ln2(x))


class SessionClassifier(nn.Module):
    def __init__(self, d=32, heads=4, layers=2, max_len=32):
        super().__init__()
        self.tok = nn.Embedding(N_EVENTS, d, padding_idx=PAD)
        self.pos = nn.Embedding(max_len, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2)

    def forward(self, ids):
        pad = ids == PAD
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for blk in self.blocks:
            x = blk(x, pad)
        x = self.ln(x).masked_fill(pad.unsqueeze(-1), 0.0)
        pooled = x.sum(1) / (~pad).sum(1, keepdim=True)
        return self.head(pooled)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=24)
    args = ap.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = SessionClassifier(max_len=args.max_len)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.steps)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 24)

    stream = session_stream(args.batch_size, args.max_len, gen)
    for step in range(args.steps):
        ids, lens, labels = next(stream)
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(ids)
            loss = F.cross_entropy(logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        gnorm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scale_before = scaler.get_scale()
        scaler.step(opt)
        scaler.update()
        if scaler.get_scale() >= scale_before:
            sched.step()
        if step % 10 == 0 or scaler.get_scale() < scale_before:
            acc = (logits.argmax(1) == labels).float().mean().item()
            print(f"step {step:3d} loss {loss.item():.4f} acc {acc:.2f} grad_norm {gnorm.item():.3e} scale {scaler.get_scale():.0f}")


if __name__ == "__main__":
    main()
