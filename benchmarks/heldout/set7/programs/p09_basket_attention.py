import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

N_ITEMS = 120
MAX_LEN = 12


class BasketDataset(Dataset):
    """Customer baskets (item ids of the last session) -> will the customer churn?"""

    def __init__(self, n=600, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.baskets, self.labels = [], []
        for i in range(n):
            churn = int(torch.rand(1, generator=g) < 0.3)
            length = int(torch.randint(1, MAX_LEN + 1, (1,), generator=g))
            if i in (133, 418):
                length = 0
            lo = 60 if churn else 0
            items = torch.randint(lo, lo + 60, (length,), generator=g)
            self.baskets.append(items)
            self.labels.append(churn)

    def __len__(self):
        return len(self.baskets)

    def __getitem__(self, i):
        return self.baskets[i], self.labels[i]


def collate(batch):
    ids = torch.zeros(len(batch), MAX_LEN, dtype=torch.long)
    pad = torch.ones(len(batch), MAX_LEN, dtype=torch.bool)
    for j, (items, _) in enumerate(batch):
        ids[j, :len(items)] = items
        pad[j, :len(items)] = False
    labels = torch.tensor([y for _, y in batch], dtype=torch.float32)
    return ids, pad, labels


class BasketEncoder(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.emb = nn.Embedding(N_ITEMS, dim)
        self.key = nn.Linear(dim, dim)
        self.query = nn.Parameter(torch.randn(dim) / dim ** 0.5)

    def forward(self, ids, pad):
        e = self.emb(ids)                                         # (B, L, D)
        scores = self.key(e) @ self.query / e.shape[-1] ** 0.5    # (B, L)
        scores = scores.masked_fill(pad, float("-inf"))
        attn = torch.softmax(scores, dim=-1)
        return (attn.unsqueeze(-1) * e).sum(dim=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    torch.manual_seed(0)
    ds = BasketDataset()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, collate_fn=collate,
                        generator=torch.Generator().manual_seed(0))
    encoder = BasketEncoder()
    head = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
    opt_enc = torch.optim.AdamW(encoder.parameters(), lr=2e-3, weight_decay=0.01)
    opt_head = torch.optim.SGD(head.parameters(), lr=0.05, momentum=0.9)

    step = 0
    for epoch in range(args.epochs):
        for ids, pad, y in loader:
            opt_enc.zero_grad()
            opt_head.zero_grad()
            logits = head(encoder(ids, pad)).squeeze(-1)
            loss = F.binary_cross_entropy_with_logits(logits, y)
            loss.backward()
            opt_enc.step()
            opt_head.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
