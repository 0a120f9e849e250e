import os
import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "data_gb", "contract_type", "plan_tier", "late_payments", "region_code"]


def load_shard(rank, world, n_total=2048, seed=0):
    g = torch.Generator().manual_seed(seed)
    n = n_total
    tenure = torch.randint(1, 72, (n,), generator=g).float()
    charges = 20 + 100 * torch.rand(n, generator=g)
    calls = torch.poisson(torch.full((n,), 1.5), generator=g)
    data_gb = 50 * torch.rand(n, generator=g)
    contract = torch.randint(0, 3, (n,), generator=g).float()
    plan = torch.full((n,), 2.0)
    late = torch.poisson(torch.full((n,), 0.5), generator=g)
    region = torch.randint(0, 12, (n,), generator=g).float()
    x = torch.stack([tenure, charges, calls, data_gb, contract, plan, late, region], 1)
    logit = -0.04 * tenure + 0.02 * charges + 0.6 * calls - 0.8 * contract + 0.5 * late - 1.0
    y = (torch.rand(n, generator=g) < torch.sigmoid(logit)).float()
    return x[rank::world], y[rank::world]


def global_standardize(x):
    stats = torch.stack([x.sum(0), (x * x).sum(0), torch.full_like(x[0], x.shape[0])])
    dist.all_reduce(stats, op=dist.ReduceOp.SUM)
    total, total_sq, count = stats
    mean = total / count
    var = total_sq / count - mean * mean
    std = var.clamp(min=0).sqrt()
    return (x - mean) / std, mean, std


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    x, y = load_shard(rank, world)
    x, mean, std = global_standardize(x)
    model = DDP(nn.Sequential(nn.Linear(len(FEATURES), 32), nn.ReLU(), nn.Linear(32, 1)))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(100 + rank)
    bs = 64
    for epoch in range(3):
        perm = torch.randperm(len(x), generator=g)
        steps = len(x) // bs
        for i in range(steps):
            idx = perm[i * bs:(i + 1) * bs]
            logits = model(x[idx]).squeeze(-1)
            loss = F.binary_cross_entropy_with_logits(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i % 4 == 0:
                reduced = loss.detach().clone()
                dist.all_reduce(reduced)
                if rank == 0:
                    print(f"epoch {epoch} step {i}/{steps} loss {reduced.item() / world:.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
