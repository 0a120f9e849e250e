import os

import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset, DistributedSampler

N_SPEAKERS = 12
N_MELS = 24
FRAMES = 100
LOG_FLOOR = -11.5129


class UtteranceBank(Dataset):
    def __init__(self, n, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.speaker = torch.randint(0, N_SPEAKERS, (n,), generator=g)
        timbre = torch.randn(N_SPEAKERS, N_MELS, 1, generator=g)
        noise = torch.randn(n, N_MELS, FRAMES, generator=g)
        self.feats = -4.0 + 1.5 * timbre[self.speaker] + noise
        muted = torch.randperm(n, generator=g)[:3]
        self.feats[muted] = LOG_FLOOR

    def __len__(self):
        return len(self.speaker)

    def __getitem__(self, i):
        return self.feats[i], self.speaker[i]


class StatsPooling(nn.Module):
    def forward(self, h):
        mean = h.mean(dim=-1)
        var = (h * h).mean(dim=-1) - mean * mean
        return torch.cat([mean, torch.sqrt(var)], dim=-1)


class XVector(nn.Module):
    def __init__(self, channels=64, emb=32):
        super().__init__()
        self.frame = nn.Sequential(
            nn.Conv1d(N_MELS, channels, 5), nn.ReLU(), nn.BatchNorm1d(channels),
            nn.Conv1d(channels, channels, 3, dilation=2), nn.ReLU(), nn.BatchNorm1d(channels),
            nn.Conv1d(channels, channels, 1),
        )
        self.pool = StatsPooling()
        self.segment = nn.Sequential(nn.Linear(2 * channels, emb), nn.ReLU(), nn.Linear(emb, N_SPEAKERS))

    def forward(self, x):
        return self.segment(self.pool(self.frame(x)))


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    data = UtteranceBank(1536, seed=1)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=16, sampler=sampler, drop_last=True)
    model = DDP(XVector())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for feats, spk in loader:
            loss = F.cross_entropy(model(feats), spk)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if rank == 0 and step % 5 == 0:
                print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f}", flush=True)
            step += 1
            if step == 60:
                break
        if step == 60:
            break
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
