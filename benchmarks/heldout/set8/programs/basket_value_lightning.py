import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset

L.seed_everything(9, workers=True)

N_PRODUCTS, MAX_ITEMS = 300, 12


class CustomerBaskets(Dataset):
    """Each customer: the products bought in the last 30 days -> spend next month."""

    def __init__(self, n_customers=1200):
        g = torch.Generator().manual_seed(9)
        self.baskets = []
        self.targets = []
        price = torch.rand(N_PRODUCTS, generator=g) * 20 + 1
        for c in range(n_customers):
            k = int(torch.randint(1, MAX_ITEMS + 1, (1,), generator=g))
            if c % 397 == 250:
                k = 0
            items = torch.randint(0, N_PRODUCTS, (k,), generator=g)
            self.baskets.append(items)
            self.targets.append(price[items].sum() * 0.8 + 5.0)

    def __len__(self):
        return len(self.baskets)

    def __getitem__(self, i):
        return self.baskets[i], self.targets[i]


def collate(batch):
    items = torch.zeros(len(batch), MAX_ITEMS, dtype=torch.long)
    mask = torch.zeros(len(batch), MAX_ITEMS, dtype=torch.bool)
    for j, (b, _) in enumerate(batch):
        items[j, :len(b)] = b
        mask[j, :len(b)] = True
    y = torch.stack([t for _, t in batch]).unsqueeze(1)
    return items, mask, y


class BasketRegressor(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(N_PRODUCTS, 32)
        self.query = nn.Parameter(torch.randn(32) * 0.1)
        self.key = nn.Linear(32, 32)
        self.head = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, items, mask):
        e = self.emb(items)
        scores = self.key(e) @ self.query
        scores = scores.masked_fill(~mask, float("-inf"))
        attn = torch.softmax(scores, dim=1)
        pooled = (attn.unsqueeze(-1) * e).sum(1)
        return self.head(pooled)

    def training_step(self, batch, batch_idx):
        items, mask, y = batch
        loss = F.mse_loss(self(items, mask), y / 100.0)
        self.log("train_loss", loss)
        if batch_idx % 10 == 0:
            print(f"step {self.global_step} loss {loss.item():.4f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


if __name__ == "__main__":
    loader = DataLoader(CustomerBaskets(), batch_size=32, shuffle=True, collate_fn=collate)
    trainer = L.Trainer(accelerator="cpu", max_steps=60, enable_progress_bar=False, logger=False,
                        enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(BasketRegressor(), loader)
