import os
import torch
from torch import nn
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import TensorDataset, DataLoader

FEATURES = ["outdoor_temp", "humidity", "wind", "solar", "occupancy", "hour_sin", "hour_cos", "supply_temp"]


def load_site_readings(site, n=512):
    g = torch.Generator().manual_seed(100 + site)
    x = torch.randn(n, len(FEATURES), generator=g)
    x[:, 0] = 12 + 8 * x[:, 0]
    x[:, 1] = 60 + 15 * x[:, 1]
    x[:, 4] = torch.randint(0, 200, (n,), generator=g).float()
    hours = torch.randint(0, 24, (n,), generator=g).float()
    x[:, 5] = torch.sin(hours / 24 * 6.2832)
    x[:, 6] = torch.cos(hours / 24 * 6.2832)
    x[:, 7] = 45 + 3 * x[:, 7]
    if site == 1:
        x[:, 7] = 45.0
    load_kw = 0.8 * x[:, 4] - 2.0 * x[:, 0] + 0.5 * x[:, 3] + 0.3 * x[:, 7] + torch.randn(n, generator=g)
    return x, load_kw.unsqueeze(1)


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)

    x, y = load_site_readings(site=rank)
    mean, std = x.mean(dim=0), x.std(dim=0)
    x = (x - mean) / std
    y = (y - y.mean()) / y.std()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(rank))

    model = DDP(nn.Sequential(nn.Linear(len(FEATURES), 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(3):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"rank {rank} step {step} loss {loss.item():.4f}", flush=True)
            step += 1
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
