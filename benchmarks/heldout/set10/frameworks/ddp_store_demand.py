import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

FEATURES = ["temp_c", "precip_mm", "promo", "price", "shelf_facings", "weekday", "holiday"]


class StoreDays(Dataset):
    def __init__(self, n=2048, seed=7):
        g = torch.Generator().manual_seed(seed)
        temp = 12 + 9 * torch.randn(n, generator=g)
        precip = torch.relu(torch.randn(n, generator=g)) * 4
        promo = (torch.rand(n, generator=g) < 0.3).float()
        price = 2.0 + 0.5 * torch.rand(n, generator=g)
        facings = torch.randint(1, 6, (n,), generator=g).float()
        weekday = torch.randint(0, 7, (n,), generator=g).float()
        holiday = (torch.rand(n, generator=g) < 0.25).float()
        self.x = torch.stack([temp, precip, promo, price, facings, weekday, holiday], dim=1)
        self.y = (40 + 0.8 * temp - 1.5 * precip + 12 * promo - 6 * price + 3 * facings
                  + 9 * holiday + 2 * torch.randn(n, generator=g))[:, None]

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def standardize_batch(samples):
    x = torch.stack([s[0] for s in samples])
    y = torch.stack([s[1] for s in samples])
    x = (x - x.mean(dim=0)) / x.std(dim=0)
    return x, y


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)

    data = StoreDays()
    sampler = DistributedSampler(data, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=16, sampler=sampler, collate_fn=standardize_batch)

    model = DDP(nn.Sequential(nn.Linear(len(FEATURES), 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for x, y in loader:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"[rank {rank}] epoch {epoch} step {step} loss {loss.item():.4f}", flush=True)
            step += 1
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
