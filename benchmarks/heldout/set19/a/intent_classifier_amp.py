import argparse
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def synth_utterances(n, vocab, max_len, n_intents, seed):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(4, max_len + 1, (n,), generator=g)
    tokens = torch.randint(3, vocab, (n, max_len), generator=g)
    labels = torch.randint(0, n_intents, (n,), generator=g)
    for i in range(n):
        k = int(lengths[i])
        cue = 3 + int(labels[i]) * 7
        pos = torch.randint(0, k, (2,), generator=g)
        tokens[i, pos] = torch.tensor([cue, cue + 1])
        tokens[i, k:] = 0
    pad_mask = torch.arange(max_len)[None, :] >= lengths[:, None]
    return tokens, pad_mask, labels


class AttentionPool(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.score = nn.Linear(d, 1)

    def forward(self, h, pad_mask):
        s = self.score(h).squeeze(-1)
        s = s.masked_fill(pad_mask, float("-inf"))
        w = torch.softmax(s.float(), dim=-1).to(h.dtype)
        return torch.einsum("bt,btd->bd", w, h)


class IntentModel(nn.Module):
    def __init__(self, vocab, d, n_intents, max_len):
        super().__init__()
        self.tok = nn.Embedding(vocab, d, padding_idx=0)
        self.ff1 = nn.Linear(d, 2 * d)
        self.ff2 = nn.Linear(2 * d, d)
        self.pool = AttentionPool(d)
        self.cls = nn.Linear(d, n_intents)

    def forward(self, tokens, pad_mask):
        h = self.tok(tokens)
        h = h + self.ff2(F.gelu(self.ff1(h)))
        return self.cls(self.pool(h, pad_mask))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--d-model", type=int, default=32)
    args = ap.parse_args()

    torch.manual_seed(0)
    vocab, max_len, n_intents = 300, 24, 12
    tokens, pad_mask, labels = synth_utterances(800, vocab, max_len, n_intents, seed=5)
    n_train = 640
    model = IntentModel(vocab, args.d_model, n_intents, max_len)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(n_train / args.batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps_per_epoch)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(n_train)
        for b in range(0, n_train, args.batch_size):
            idx = perm[b:b + args.batch_size]
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(tokens[idx], pad_mask[idx])
                loss = F.cross_entropy(logits, labels[idx], reduction="sum")
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            if step % 5 == 0 or not torch.isfinite(gnorm):
                print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f} grad_norm {gnorm.item():.3g} scale {scaler.get_scale():.0f}")
            step += 1

        model.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.float16):
            val_logits = model(tokens[n_train:], pad_mask[n_train:])
        acc = (val_logits.argmax(-1) == labels[n_train:]).float().mean().item()
        print(f"epoch {epoch} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
