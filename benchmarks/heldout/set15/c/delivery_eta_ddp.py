import argparse
import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def build_orders(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    distance_km = torch.rand(n, generator=g) * 15
    items = torch.randint(1, 12, (n,), generator=g).float()
    hour = torch.randint(0, 24, (n,), generator=g).float()
    rain = (torch.rand(n, generator=g) < 0.2).float()
    x = torch.stack([distance_km / 15, items / 12, torch.sin(hour / 24 * 6.283), torch.cos(hour / 24 * 6.283), rain], 1)
    minutes = 8 + 3.2 * distance_km + 0.8 * items + 6 * rain + torch.randn(n, generator=g) * 3
    late = (minutes > 40).long()
    return TensorDataset(x, minutes, late)


class ETAModel(nn.Module):
    def __init__(self, n_in=5, hidden=64):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(n_in, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU())
        self.eta_head = nn.Linear(hidden, 1)
        self.late_head = nn.Linear(hidden, 2)

    def forward(self, x):
        h = self.trunk(x)
        return self.eta_head(h).squeeze(-1), self.late_head(h)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--eta-weight", type=float, default=10.0)
    parser.add_argument("--accum", type=int, default=2)
    args = parser.parse_args()

    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)

    data = build_orders(4096)
    sampler = DistributedSampler(data, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=64, sampler=sampler)
    model = DDP(ETAModel())
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for i, (x, minutes, late) in enumerate(loader):
            eta, late_logits = model(x)
            eta_loss = F.mse_loss(eta, minutes)
            late_loss = F.cross_entropy(late_logits, late)
            loss = (late_loss + args.eta_weight * eta_loss) / args.accum
            loss.backward()
            if (i + 1) % args.accum == 0:
                opt.step()
                opt.zero_grad()
                if rank == 0 and step % 5 == 0:
                    print(f"epoch {epoch} step {step} eta_mse {eta_loss.item():.4g} late_ce {late_loss.item():.4g}")
                step += 1
            if step >= 60:
                break
        if step >= 60:
            break
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
