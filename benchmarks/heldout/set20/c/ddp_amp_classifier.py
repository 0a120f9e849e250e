import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


def make_shard(rank, n=2048, n_features=64, n_classes=10):
    g = torch.Generator().manual_seed(1234)
    centers = torch.randn(n_classes, n_features, generator=g) * 2.0
    g_local = torch.Generator().manual_seed(rank)
    y = torch.randint(0, n_classes, (n,), generator=g_local)
    x = centers[y] + torch.randn(n, n_features, generator=g_local)
    return x, y


class Classifier(nn.Module):
    def __init__(self, n_features=64, hidden=256, n_classes=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.body(x)


def worker(rank, world_size):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.manual_seed(0)
    x, y = make_shard(rank)
    model = DDP(Classifier())
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 24, growth_interval=100)

    batch_size = 64
    steps_per_epoch = x.shape[0] // batch_size
    for epoch in range(3):
        perm = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(epoch * 10 + rank))
        for i in range(steps_per_epoch):
            idx = perm[i * batch_size:(i + 1) * batch_size]
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(x[idx])
                loss = F.cross_entropy(logits, y[idx])
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(optimizer)
            scaler.update()
            if rank == 0 and i % 8 == 0:
                print(f"epoch {epoch} it {i:3d} loss {loss.item():.4f} grad_norm {grad_norm.item():.3e} "
                      f"scale {scaler.get_scale():.0f}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    if "RANK" in os.environ:
        worker(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]))
    else:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29531")
        mp.spawn(worker, args=(2,), nprocs=2)
