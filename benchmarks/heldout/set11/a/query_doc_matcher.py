import random
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

VOCAB_SIZE = 500
MAX_LEN = 12


def encode(token_ids):
    ids = [t if t < VOCAB_SIZE else 0 for t in token_ids][:MAX_LEN]
    return ids + [0] * (MAX_LEN - len(ids))


class QueryDocPairs(Dataset):
    def __init__(self, n=640, seed=0):
        rng = random.Random(seed)
        self.pairs = []
        for i in range(n):
            topic = rng.randrange(20)
            base = 1 + topic * 24
            q = [base + rng.randrange(24) for _ in range(rng.randint(2, 6))]
            d = [base + rng.randrange(24) for _ in range(rng.randint(6, 12))]
            if i in (203, 517):
                # product-code searches
                q = [VOCAB_SIZE + rng.randrange(1000) for _ in range(3)]
            self.pairs.append((encode(q), encode(d)))

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, i):
        q, d = self.pairs[i]
        return torch.tensor(q), torch.tensor(d)


class BagEncoder(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.emb = nn.Embedding(VOCAB_SIZE, dim, padding_idx=0)
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, ids):
        mask = (ids != 0).unsqueeze(-1).float()
        pooled = (self.emb(ids) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        z = self.proj(pooled)
        return z / z.norm(dim=-1, keepdim=True)


class Trainer:
    def __init__(self, model, lr=3e-3, accum_steps=4, temperature=0.05):
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        self.accum_steps = accum_steps
        self.temperature = temperature
        self.global_step = 0

    def compute_loss(self, q, d):
        qz = self.model(q)
        dz = self.model(d)
        logits = qz @ dz.t() / self.temperature
        target = torch.arange(len(q))
        return F.cross_entropy(logits, target)

    def fit(self, loader, epochs=2):
        self.model.train()
        for epoch in range(epochs):
            running = 0.0
            self.opt.zero_grad()
            for i, (q, d) in enumerate(loader):
                loss = self.compute_loss(q, d) / self.accum_steps
                loss.backward()
                running += loss.item()
                if (i + 1) % self.accum_steps == 0:
                    self.opt.step()
                    self.opt.zero_grad()
                    if self.global_step % 5 == 0:
                        print(f"epoch {epoch} step {self.global_step} loss {running:.4f}")
                    running = 0.0
                    self.global_step += 1


def main():
    torch.manual_seed(0)
    ds = QueryDocPairs()
    loader = DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(1))
    trainer = Trainer(BagEncoder())
    trainer.fit(loader)


if __name__ == "__main__":
    main()
