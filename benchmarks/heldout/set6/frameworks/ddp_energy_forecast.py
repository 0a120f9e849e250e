"""Building energy-load forecaster (tabular MLP), data-parallel over 2 workers.

The reference recipe was tuned on one worker with batch 32 and lr 0.05; the
lr is scaled linearly with the global batch size (Goyal et al.).
    torchrun --nproc-per-node 2 ddp_energy_forecast.py
"""
import argparse

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

BASE_LR = 0.05
BASE_BATCH = 32


def load_building_data(n=8192, d=20, seed=5):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    w1 = torch.randn(d, 8, generator=g) / d ** 0.5
    y = torch.tanh(x @ w1).sum(1) + 0.1 * x[:, 0] * x[:, 1] + 0.05 * torch.randn(n, generator=g)
    x = (x - x.mean(0)) / x.std(0)
    y = (y - y.mean()) / y.std()
    return x, y


def build_model(d=20, hidden=128):
    return nn.Sequential(
        nn.Linear(d, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, 1),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=256, help="per worker")
    args = parser.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(1234)

    x, y = load_building_data()
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(ds, batch_size=args.batch_size, sampler=sampler, drop_last=True)

    global_batch = args.batch_size * world
    lr = BASE_LR * global_batch / BASE_BATCH
    model = DDP(build_model())
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)
    if rank == 0:
        print(f"world={world} global_batch={global_batch} lr={lr}", flush=True)

    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            pred = model(xb).squeeze(-1)
            loss = nn.functional.mse_loss(pred, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            reduced = loss.detach().clone()
            dist.all_reduce(reduced)
            if rank == 0:
                print(f"epoch {epoch} step {step:3d} loss {reduced.item() / world:.5g}", flush=True)
            step += 1
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
