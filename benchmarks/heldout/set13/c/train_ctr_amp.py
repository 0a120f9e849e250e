import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

N_USER_FEATS, N_ITEM_FEATS, DIM = 12, 8, 32
BATCH = 128
STEPS = 110


def click_log(n=16384, seed=7):
    g = torch.Generator().manual_seed(seed)
    users = torch.randn(n, N_USER_FEATS, generator=g)
    items = torch.randn(n, N_ITEM_FEATS, generator=g)
    w_u = torch.randn(N_USER_FEATS, generator=g)
    w_i = torch.randn(N_ITEM_FEATS, generator=g)
    affinity = users @ w_u + items @ w_i
    clicks = (affinity > 0).float()
    return users, items, clicks


class TwoTower(nn.Module):
    def __init__(self):
        super().__init__()
        self.user_tower = nn.Sequential(nn.Linear(N_USER_FEATS, DIM), nn.ReLU())
        self.item_tower = nn.Sequential(nn.Linear(N_ITEM_FEATS, DIM), nn.ReLU())
        self.mlp = nn.Sequential(nn.Linear(2 * DIM, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, u, i):
        z = torch.cat([self.user_tower(u), self.item_tower(i)], dim=1)
        return torch.sigmoid(self.mlp(z).squeeze(-1))


def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def main():
    rank = int(os.environ["RANK"])
    world = int(os.environ["WORLD_SIZE"])
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)

    users, items, clicks = click_log()
    users, items, clicks = users[rank::world], items[rank::world], clicks[rank::world]

    model = DDP(TwoTower())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler("cpu")

    n = len(users)
    for step in range(STEPS):
        lo = (step * BATCH) % n
        u, i, y = users[lo:lo + BATCH], items[lo:lo + BATCH], clicks[lo:lo + BATCH]
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            p = model(u, i)
            loss = bce(p, y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        if rank == 0 and step % 10 == 0:
            print(f"step {step} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
