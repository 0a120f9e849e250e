import argparse
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def setup():
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29531")
    os.environ.setdefault("RANK", "0")
    os.environ.setdefault("WORLD_SIZE", "1")
    dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size()


def make_load_curves(n_series, length, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(length + 1, dtype=torch.float32)
    base = 0.6 + 0.3 * torch.rand(n_series, 1, generator=g)
    daily = 0.25 * torch.sin(2 * torch.pi * t / 24 + torch.rand(n_series, 1, generator=g) * 6.28)
    weekly = 0.1 * torch.sin(2 * torch.pi * t / 168)
    noise = 0.03 * torch.randn(n_series, length + 1, generator=g)
    series = base + daily + weekly + noise
    return series[:, :-1, None], series[:, 1:, None]


class LoadRNN(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True, nonlinearity="relu")
        self.readout = nn.Linear(hidden, 1)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden))
            self.rnn.bias_hh_l0.zero_()

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.readout(h)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--seq-len", type=int, default=168)
    args = p.parse_args()

    rank, world = setup()
    torch.manual_seed(0)
    x, y = make_load_curves(512, args.seq_len, seed=42)
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(ds, batch_size=16, sampler=sampler)

    model = DDP(LoadRNN())
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            if rank == 0 and step % 5 == 0:
                print(f"epoch {epoch} step {step} mse {loss.item():.5f}", flush=True)
            step += 1

    if rank == 0:
        print("done, final mse", loss.item())
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
