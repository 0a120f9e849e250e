import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

ACCUM = 2
BATCH = 64
STEPS = 60


def init_dist():
    if "RANK" not in os.environ:
        os.environ.update(RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1", MASTER_PORT="29547")
    dist.init_process_group(backend="gloo")


class ChurnModel(nn.Module):
    def __init__(self, n_in=40, hidden=256):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.LayerNorm(hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.LayerNorm(hidden), nn.SiLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x):
        return self.net(x)


def synthetic_customers(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 40, generator=g)
    w = torch.randn(40, generator=g)
    y = ((x @ w + 0.5 * torch.randn(n, generator=g)) > 0).long()
    return x, y


def main():
    init_dist()
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(1234)
    x, y = synthetic_customers(BATCH * ACCUM * STEPS * world, seed=99)
    x, y = x[rank::world], y[rank::world]

    model = DDP(ChurnModel())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 24)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=STEPS)

    micro = 0
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        for k in range(ACCUM):
            lo = micro * BATCH
            xb, yb = x[lo:lo + BATCH], y[lo:lo + BATCH]
            micro += 1
            ctx = model.no_sync() if k < ACCUM - 1 else torch.enable_grad()
            with ctx:
                with torch.autocast("cpu", dtype=torch.float16):
                    logits = model(xb)
                    loss = nn.functional.cross_entropy(logits, yb) / ACCUM
                scaler.scale(loss).backward()
        scaler.unscale_(opt)
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
        sched.step()
        if rank == 0 and (step < 10 or step % 10 == 0):
            print(f"step {step:3d} loss {loss.item() * ACCUM:.4f} grad_norm {gnorm.item():.4g} scale {scaler.get_scale():.0f}", flush=True)

    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
