import math

import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

N_STORES = 12
N_DAYS = 365
HOLIDAYS = {120, 185, 358, 359}


class SalesStream(IterableDataset):
    """Streams (store, day) records in chronological order, like reading the POS export."""

    def __init__(self, seed=21):
        self.seed = seed

    def __iter__(self):
        gen = torch.Generator().manual_seed(self.seed)
        store_size = 800 + 400 * torch.rand(N_STORES, generator=gen)
        for day in range(N_DAYS):
            dow = day % 7
            season = math.sin(2 * math.pi * day / 365)
            for store in range(N_STORES):
                promo = float(torch.rand(1, generator=gen) < 0.2)
                features = torch.tensor([
                    math.sin(2 * math.pi * dow / 7), math.cos(2 * math.pi * dow / 7),
                    season, promo, store / N_STORES,
                ])
                sales = store_size[store] * (1 + 0.3 * (dow >= 5) + 0.25 * promo + 0.1 * season)
                sales = sales * (1 + 0.05 * torch.randn(1, generator=gen)).item()
                if day in HOLIDAYS:
                    sales = torch.tensor(0.0)
                yield features, sales.float().reshape(())


class SalesModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.store_embed = nn.Embedding(N_STORES, 4)
        self.mlp = nn.Sequential(nn.Linear(5 + 4, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, features):
        store = (features[:, 4] * N_STORES).round().long()
        h = torch.cat([features, self.store_embed(store)], dim=1)
        return 1000 * nn.functional.softplus(self.mlp(h)).squeeze(-1)


def mape(pred, target):
    return ((pred - target).abs() / target.abs()).mean()


def main():
    torch.manual_seed(0)
    loader = DataLoader(SalesStream(), batch_size=48)
    model = SalesModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    for epoch in range(2):
        for step, (features, sales) in enumerate(loader):
            pred = model(features)
            loss = mape(pred, sales)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 10 == 0:
                print(f"epoch {epoch} batch {step:3d}  MAPE {100 * loss.item():.2f}%")


if __name__ == "__main__":
    main()
