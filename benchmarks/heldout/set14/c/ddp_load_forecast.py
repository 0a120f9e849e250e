import math
import os

import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

HISTORY = 240


def meter_readings(n_series, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(HISTORY + 1, dtype=torch.float32)
    daily = torch.sin(2 * math.pi * t / 24 + torch.rand(n_series, 1, generator=g) * 6.28)
    weekly = 0.3 * torch.sin(2 * math.pi * t / 168 + torch.rand(n_series, 1, generator=g) * 6.28)
    level = 0.5 + torch.rand(n_series, 1, generator=g)
    load = level + 0.4 * daily + weekly + 0.05 * torch.randn(n_series, HISTORY + 1, generator=g)
    return load[:, :HISTORY, None], load[:, HISTORY]


class LoadForecaster(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        nn.init.normal_(self.rnn.weight_ih_l0, std=0.01)
        nn.init.zeros_(self.rnn.bias_ih_l0)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1]).squeeze(-1)


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(42)
    x, y = meter_readings(4096, seed=42)
    data = TensorDataset(x, y)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=42)
    loader = DataLoader(data, batch_size=32, sampler=sampler)

    model = DDP(LoadForecaster())
    opt = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)

    step = 0
    while step < 60:
        sampler.set_epoch(step)
        for xb, yb in loader:
            pred = model(xb)
            loss = F.mse_loss(pred, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if rank == 0 and step % 5 == 0:
                print(f"step {step:3d} mse {loss.item():.5f}", flush=True)
            step += 1
            if step >= 60:
                break
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
