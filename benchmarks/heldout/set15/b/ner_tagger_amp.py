import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]


def build_corpus(n_sent=192, seq_len=24, vocab=2000, seed=11):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(1, vocab, (n_sent, seq_len), generator=g)
    tags = torch.zeros(n_sent, seq_len, dtype=torch.long)
    ent = tokens % 11
    tags[ent == 1] = 1
    tags[ent == 2] = 3
    tags[ent == 3] = 5
    tags[:, 1:][(tags[:, :-1] % 2 == 1) & (tokens[:, 1:] % 3 == 0)] = tags[:, :-1][(tags[:, :-1] % 2 == 1) & (tokens[:, 1:] % 3 == 0)] + 1
    return tokens, tags


class Tagger(nn.Module):
    def __init__(self, vocab=2000, dim=64, n_tags=len(TAGS)):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, dim, 3, padding=1)
        self.ff = nn.Sequential(nn.Linear(dim, 128), nn.GELU(), nn.Linear(128, dim))
        self.out = nn.Linear(dim, n_tags)

    def forward(self, tokens):
        h = self.emb(tokens)
        h = h + F.gelu(self.conv(h.transpose(1, 2))).transpose(1, 2)
        h = h + self.ff(h)
        return self.out(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--micro-batch", type=int, default=16)
    ap.add_argument("--accum-steps", type=int, default=4)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    args = ap.parse_args()

    torch.manual_seed(0)
    tokens, tags = build_corpus()
    loader = DataLoader(TensorDataset(tokens, tags), batch_size=args.micro_batch, shuffle=True)
    model = Tagger()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu")

    update = 0
    for epoch in range(args.epochs):
        running = 0.0
        for i, (tok, tag) in enumerate(loader):
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(tok)
                loss = F.cross_entropy(logits.reshape(-1, len(TAGS)), tag.reshape(-1), reduction="sum")
                loss = loss / args.accum_steps
            scaler.scale(loss).backward()
            running += loss.item()

            if (i + 1) % args.accum_steps == 0:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                optimizer.step()
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
                update += 1
                if update % 2 == 0:
                    print(f"epoch {epoch} update {update} loss/token {running / (args.accum_steps * tok.numel()):.4f} scale {scaler.get_scale():.0f}")
                running = 0.0


if __name__ == "__main__":
    main()
