import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def build_traffic_dataset(n_series=384, history=12, seed=21):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(history + 1, dtype=torch.float32)
    phase = torch.rand(n_series, 1, generator=g) * 6.28
    level = torch.rand(n_series, 1, generator=g) * 60 + 20
    flow = level * (1 + 0.5 * torch.sin(t[None, :] / 3 + phase)) + torch.randn(n_series, history + 1, generator=g) * 3
    flow = flow.clamp(min=0).round()
    closed = torch.arange(n_series) % 97 == 40
    flow[closed, -1] = 0.0
    x = flow[:, :-1] / 100.0
    y = flow[:, -1]
    return TensorDataset(x, y)


class FlowForecaster(nn.Module):
    def __init__(self, history=12, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(history, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return 100.0 * self.net(x).squeeze(-1)


def mape_loss(pred, target):
    return ((pred - target).abs() / target).mean()


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    ds = build_traffic_dataset()
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(ds, batch_size=16, sampler=sampler)
    model = DDP(FlowForecaster())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for x, y in loader:
            opt.zero_grad()
            loss = mape_loss(model(x), y)
            loss.backward()
            opt.step()
            if rank == 0 and step % 4 == 0:
                print(f"epoch {epoch} step {step} mape {loss.item():.4f}", flush=True)
            step += 1
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
