import argparse
import os

import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def make_covertype_like(n, n_features=54, n_classes=7, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, n_features, generator=g)
    W = torch.randn(n_features, n_classes, generator=g)
    y = (X @ W + 0.5 * torch.randn(n, n_classes, generator=g)).argmax(1)
    return TensorDataset(X, y)


class DeepMLP(nn.Module):
    def __init__(self, n_in, n_out, width, depth):
        super().__init__()
        self.inp = nn.Linear(n_in, width)
        self.hidden = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.out = nn.Linear(width, n_out)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.inp(x))
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.out(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--depth", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)

    train = make_covertype_like(4096, seed=1)
    sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=args.batch_size, sampler=sampler)

    model = DDP(DeepMLP(54, 7, args.width, args.depth))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for X, y in loader:
            logits = model(X)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                acc = (logits.argmax(1) == y).float().mean()
                stats = torch.stack([loss.detach(), acc])
                dist.all_reduce(stats)
                stats /= world
            if rank == 0 and step % 5 == 0:
                print(f"epoch {epoch} step {step:3d} loss {stats[0].item():.4f} acc {stats[1].item():.3f}")
            step += 1
            if step >= 20:
                break

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
