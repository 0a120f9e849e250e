import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

VOCAB = 150
MAX_LEN = 16
N_CLASSES = 4


class LogLineDataset(Dataset):
    """Tokenized service log lines -> severity class. Some lines are blank after filtering."""

    def __init__(self, n=512, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for i in range(n):
            cls = int(torch.randint(0, N_CLASSES, (1,), generator=g))
            length = int(torch.randint(0, MAX_LEN + 1, (1,), generator=g))
            toks = torch.randint(1, VOCAB, (length,), generator=g)
            if length > 0:
                toks[0] = 1 + cls * 10
            self.items.append((toks, cls))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    ids = torch.zeros(len(batch), MAX_LEN, dtype=torch.long)
    mask = torch.zeros(len(batch), MAX_LEN, dtype=torch.bool)
    for j, (t, _) in enumerate(batch):
        ids[j, :len(t)] = t
        mask[j, :len(t)] = True
    return ids, mask, torch.tensor([c for _, c in batch])


class Tagger(nn.Module):
    def __init__(self, dim=48, heads=4):
        super().__init__()
        self.heads = heads
        self.emb = nn.Embedding(VOCAB, dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)
        self.cls = nn.Linear(dim, N_CLASSES)

    def forward(self, ids, mask):
        x = self.emb(ids)
        B, L, D = x.shape
        q, k, v = self.qkv(x).view(B, L, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / (D // self.heads) ** 0.5
        scores = scores.masked_fill(~mask[:, None, None, :], torch.finfo(scores.dtype).min)
        h = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, L, D)
        h = self.norm(x + self.out(h))
        m = mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp_min(1.0)
        return self.cls(pooled)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--micro-batch", type=int, default=16)
    ap.add_argument("--accum-steps", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    loader = DataLoader(LogLineDataset(), batch_size=args.micro_batch, shuffle=True, collate_fn=collate,
                        generator=torch.Generator().manual_seed(0))
    model = Tagger()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        for i, (ids, mask, y) in enumerate(loader):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(ids, mask)
            loss = F.cross_entropy(logits.float(), y) / args.accum_steps
            loss.backward()
            if (i + 1) % args.accum_steps == 0:
                opt.step()
                opt.zero_grad()
                if step % 4 == 0:
                    print(f"epoch {epoch} step {step} loss {loss.item() * args.accum_steps:.4f}")
                step += 1
    print("done")


if __name__ == "__main__":
    main()
