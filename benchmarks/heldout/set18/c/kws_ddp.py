import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset, DistributedSampler

N_MELS = 32
KEYWORDS = ["yes", "no", "up", "down", "left", "right", "stop", "go"]


class KeywordClips(Dataset):
    def __init__(self, n=384, seed=1234):
        g = torch.Generator().manual_seed(seed)
        self.clips, self.labels = [], []
        for i in range(n):
            label = int(torch.randint(0, len(KEYWORDS), (1,), generator=g))
            length = 98 if torch.rand(1, generator=g) > 0.01 else int(torch.randint(40, 80, (1,), generator=g))
            t = torch.arange(length).float()
            pattern = torch.sin(t[:, None] * (0.05 + 0.02 * label) + torch.arange(N_MELS)[None, :] * 0.3)
            clip = 2.0 * pattern + torch.randn(length, N_MELS, generator=g) - 4.0
            self.clips.append(clip)
            self.labels.append(label)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.clips[i], self.labels[i]


def pad_collate(batch):
    clips, labels = zip(*batch)
    longest = max(c.shape[0] for c in clips)
    out = torch.zeros(len(clips), longest, N_MELS)
    for i, c in enumerate(clips):
        out[i, : c.shape[0]] = c
    return out, torch.tensor(labels)


class FrameNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mu = x.mean(dim=-1, keepdim=True)
        sigma = x.var(dim=-1, keepdim=True, unbiased=False).sqrt()
        return self.gain * (x - mu) / sigma + self.bias


class KeywordSpotter(nn.Module):
    def __init__(self, n_classes=len(KEYWORDS), hidden=64):
        super().__init__()
        self.norm = FrameNorm(N_MELS)
        self.conv1 = nn.Conv1d(N_MELS, hidden, kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(hidden, hidden, kernel_size=5, padding=2)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, mels):
        x = self.norm(mels).transpose(1, 2)
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.head(x.mean(dim=-1))


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)

    dataset = KeywordClips()
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=16, sampler=sampler, collate_fn=pad_collate)

    model = DDP(KeywordSpotter())
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)

    step = 0
    for epoch in range(3):
        sampler.set_epoch(epoch)
        model.train()
        for mels, labels in loader:
            logits = model(mels)
            loss = F.cross_entropy(logits, labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            reduced = loss.detach().clone()
            dist.all_reduce(reduced)
            if rank == 0:
                print(f"epoch {epoch} step {step} loss {reduced.item() / world:.4f}")
            step += 1

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
