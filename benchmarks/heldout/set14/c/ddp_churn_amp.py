import argparse
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP


def customer_table(n, seed):
    g = torch.Generator().manual_seed(seed)
    usage = torch.randn(n, 10, generator=g)
    tenure = torch.rand(n, 1, generator=g)
    tickets = torch.poisson(torch.full((n, 1), 2.0), generator=g) / 4
    x = torch.cat([usage, tenure, tickets], dim=1)
    score = 2.5 * usage[:, 0] - 2.0 * usage[:, 1] + 1.5 * tickets[:, 0] - 3.0 * tenure[:, 0]
    churned = (score > 0).float()
    return x, churned


class ChurnModel(nn.Module):
    def __init__(self, n_features=12, hidden=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return torch.sigmoid(self.body(x)).squeeze(-1)


def bce(prob, target):
    return -(target * torch.log(prob) + (1 - target) * torch.log(1 - prob)).mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=70)
    args = parser.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    x, y = customer_table(8192, seed=123)
    x, y = x[rank::world], y[rank::world]

    model = DDP(ChurnModel())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scaler = torch.amp.GradScaler("cpu")

    n = len(y)
    for step in range(args.steps):
        lo = (step * args.batch_size) % (n - args.batch_size)
        xb, yb = x[lo:lo + args.batch_size], y[lo:lo + args.batch_size]
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            prob = model(xb)
            loss = bce(prob, yb)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        if rank == 0 and step % 5 == 0:
            print(f"step {step:4d} loss {loss.item():.4f} scale {scaler.get_scale():g}", flush=True)

    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
