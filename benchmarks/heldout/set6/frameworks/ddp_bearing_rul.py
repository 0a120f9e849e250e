"""Remaining-useful-life regression for bearings from vibration summary features.

Readings from the two test rigs are merged by timestamp, so rows alternate
rig A / rig B. Launch with:
    torchrun --nproc-per-node 2 ddp_bearing_rul.py
"""
import argparse

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

N_CHANNELS = 16


def record_rigs(n=2048, seed=17):
    """Simulated DAQ capture: little-endian float32 frames, one row per window."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, N_CHANNELS, generator=g)
    w = torch.randn(N_CHANNELS, generator=g) / N_CHANNELS ** 0.5
    rul = x @ w + 0.3 * torch.tanh(x[:, 0] * x[:, 3]) + 0.05 * torch.randn(n, generator=g)
    buf = bytearray(x.numpy().astype("<f4").tobytes())
    rig_b = torch.arange(n) % 2 == 1
    dropped = (rig_b & (torch.rand(n, generator=g) < 0.004)).nonzero().flatten().tolist()
    for row in dropped:
        off = (row * N_CHANNELS + 5) * 4
        buf[off:off + 4] = b"\xff\xff\xff\xff"
    return bytes(buf), rul


def decode_frames(buf, n_channels=N_CHANNELS):
    arr = np.frombuffer(buf, dtype="<f4").reshape(-1, n_channels)
    return torch.from_numpy(arr.copy())


def merged_rig_readings():
    buf, rul = record_rigs()
    return decode_frames(buf), rul


class BearingWindows(Dataset):
    def __init__(self):
        self.x, self.y = merged_rig_readings()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


class RULNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(N_CHANNELS, 64), nn.SiLU(),
            nn.Linear(64, 64), nn.SiLU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    dist.init_process_group("gloo")
    rank = dist.get_rank()
    world = dist.get_world_size()
    torch.manual_seed(0)

    ds = BearingWindows()
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=False)
    loader = DataLoader(ds, batch_size=args.batch_size, sampler=sampler)

    model = DDP(RULNet())
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for x, y in loader:
            pred = model(x)
            loss = loss_fn(pred, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if rank == 0 and step % 8 == 0:
                print(f"[rank0] epoch {epoch} step {step:4d} loss {loss.item():.5f}", flush=True)
            step += 1
    if rank == 0:
        print("done", flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
