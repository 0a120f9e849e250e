import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


PAD = 0
MASK = 1


def make_sessions(num_users, max_len, num_items, gen):
    lengths = torch.randint(3, max_len + 1, (num_users,), generator=gen)
    seqs = torch.zeros(num_users, max_len, dtype=torch.long)
    for u in range(num_users):
        start = torch.randint(2, num_items, (1,), generator=gen).item()
        L = lengths[u].item()
        items = (start + torch.arange(L) * 3 + torch.randint(0, 2, (L,), generator=gen)) % (num_items - 2) + 2
        seqs[u, max_len - L:] = items
    return seqs


def cloze_mask(seqs, mask_prob, gen):
    tokens = seqs.clone()
    labels = torch.zeros_like(seqs)
    probs = torch.rand(seqs.shape, generator=gen)
    chosen = (probs < mask_prob) & (seqs != PAD)
    labels[chosen] = seqs[chosen]
    tokens[chosen] = MASK
    return tokens, labels


class BERT4Rec(nn.Module):
    def __init__(self, num_items, max_len, hidden=32, heads=2, layers=2):
        super().__init__()
        self.item_emb = nn.Embedding(num_items, hidden, padding_idx=PAD)
        self.pos_emb = nn.Embedding(max_len, hidden)
        block = nn.TransformerEncoderLayer(hidden, heads, hidden * 4, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(block, layers)
        self.out = nn.Linear(hidden, num_items)

    def forward(self, tokens):
        pos = torch.arange(tokens.size(1), device=tokens.device)
        h = self.item_emb(tokens) + self.pos_emb(pos)[None]
        h = self.encoder(h, src_key_padding_mask=tokens == PAD)
        return self.out(h)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--num-items", type=int, default=50)
    p.add_argument("--max-len", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--mask-prob", type=float, default=0.15)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=2)
    args = p.parse_args()

    torch.manual_seed(7)
    gen = torch.Generator().manual_seed(7)
    seqs = make_sessions(64, args.max_len, args.num_items, gen)

    model = BERT4Rec(args.num_items, args.max_len)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(seqs.size(0), generator=gen)
        for i in range(0, seqs.size(0), args.batch_size):
            batch = seqs[perm[i:i + args.batch_size]]
            tokens, labels = cloze_mask(batch, args.mask_prob, gen)
            logits = model(tokens)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=PAD)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
        print(f"epoch {epoch} done, last loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
