import os
import argparse

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

FEATURES = ["tenure_months", "monthly_charge", "support_calls", "data_gb", "contract_type", "fiber_plan"]


def load_region(region, n_rows=1024):
    g = torch.Generator().manual_seed(100 + region)
    tenure = torch.randint(1, 72, (n_rows,), generator=g).float()
    charge = 20 + 80 * torch.rand(n_rows, generator=g)
    calls = torch.poisson(torch.full((n_rows,), 1.5), generator=g)
    data_gb = torch.rand(n_rows, generator=g) * 50
    contract = torch.randint(0, 3, (n_rows,), generator=g).float()
    if region == 0:
        fiber = torch.randint(0, 2, (n_rows,), generator=g).float()
    else:
        fiber = torch.ones(n_rows)
    x = torch.stack([tenure, charge, calls, data_gb, contract, fiber], dim=1)
    logit = -0.04 * tenure + 0.02 * charge + 0.5 * calls - 0.6 * contract - 1.0
    y = (torch.rand(n_rows, generator=g) < torch.sigmoid(logit)).float()
    return x, y


def standardize(x):
    mean = x.mean(dim=0, keepdim=True)
    std = x.std(dim=0, keepdim=True)
    return (x - mean) / std


class ChurnNet(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    rank = int(os.environ["RANK"])
    world_size = int(os.environ["WORLD_SIZE"])
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.manual_seed(0)

    x, y = load_region(rank)
    x = standardize(x)

    model = DDP(ChurnNet(len(FEATURES)))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(epoch))
        running = 0.0
        for i in range(0, len(x), args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(x[idx])
            loss = F.binary_cross_entropy_with_logits(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            step += 1
            if rank == 0 and step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
        n_batches = (len(x) + args.batch_size - 1) // args.batch_size
        print(f"[rank {rank}] epoch {epoch} mean loss {running / n_batches:.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
