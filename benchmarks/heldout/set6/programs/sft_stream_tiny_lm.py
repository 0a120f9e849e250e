import argparse
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset

PAD, BOS, SEP, EOS = 0, 1, 2, 3
VOCAB = 64


def make_shard(kind, n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if kind == "reverse":
            prompt = [rng.randrange(4, VOCAB) for _ in range(rng.randint(4, 20))]
            response = prompt[::-1]
        else:  # "headline": long document, short answer = its first tokens
            prompt = [rng.randrange(4, VOCAB) for _ in range(rng.randint(40, 100))]
            response = prompt[:4]
        out.append((prompt, response))
    return out


class InstructionStream(IterableDataset):
    def __init__(self, shards, max_len=64):
        self.shards = shards
        self.max_len = max_len

    def __iter__(self):
        for shard in self.shards:
            for prompt, response in shard:
                ids = [BOS] + prompt + [SEP] + response + [EOS]
                loss_mask = [0] * (len(prompt) + 2) + [1] * (len(response) + 1)
                ids, loss_mask = ids[: self.max_len], loss_mask[: self.max_len]
                yield torch.tensor(ids), torch.tensor(loss_mask)


def collate(batch):
    n = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), n), PAD)
    loss_mask = torch.zeros((len(batch), n))
    for i, (a, b) in enumerate(batch):
        ids[i, : len(a)] = a
        loss_mask[i, : len(b)] = b
    return ids, loss_mask


class TinyLM(nn.Module):
    def __init__(self, d=32, heads=4, layers=1, max_len=128):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(max_len, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, ids):
        t = ids.shape[1]
        h = self.tok(ids) + self.pos(torch.arange(t))
        causal = nn.Transformer.generate_square_subsequent_mask(t)
        h = self.blocks(h, mask=causal, is_causal=True)
        return self.head(h)


@torch.no_grad()
def preview(model, prompt, n_new=8, temperature=0.8):
    model.eval()
    ids = torch.tensor([[BOS] + prompt + [SEP]])
    for _ in range(n_new):
        logits = model(ids)[:, -1] / temperature
        nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
        ids = torch.cat([ids, nxt], dim=1)
    model.train()
    return ids[0, len(prompt) + 2:].tolist()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--max-len", type=int, default=64)
    p.add_argument("--preview-every", type=int, default=10)
    args = p.parse_args()

    torch.manual_seed(0)
    shards = [make_shard("reverse", 60, 1), make_shard("headline", 40, 2), make_shard("reverse", 60, 3)]
    loader = DataLoader(InstructionStream(shards, args.max_len), batch_size=args.batch_size, collate_fn=collate)
    model = TinyLM()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    for step, (ids, loss_mask) in enumerate(loader):
        logits = model(ids[:, :-1])
        target, mask = ids[:, 1:], loss_mask[:, 1:]
        tok_loss = F.cross_entropy(logits.reshape(-1, VOCAB), target.reshape(-1), reduction="none")
        loss = (tok_loss * mask.reshape(-1)).sum() / mask.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 10 == 0:
            print(f"step {step:4d} loss {loss.item():.4f}")
        if step > 0 and step % args.preview_every == 0:
            print(f"  sample reply to [5, 9, 12, 30]: {preview(model, [5, 9, 12, 30])}")
    print("done")


if __name__ == "__main__":
    main()
