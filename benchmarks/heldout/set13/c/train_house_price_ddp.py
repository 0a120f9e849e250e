import os
import argparse

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def build_listings(n=4096, seed=3):
    g = torch.Generator().manual_seed(seed)
    sqft = torch.rand(n, generator=g) * 3.0 + 0.5
    rooms = torch.randint(1, 7, (n,), generator=g).float()
    age = torch.rand(n, generator=g) * 80
    dist_center = torch.rand(n, generator=g) * 30
    x = torch.stack([sqft, rooms / 6, age / 80, dist_center / 30], dim=1)
    price_k = 60 + 95 * sqft + 12 * rooms - 0.8 * age - 2.5 * dist_center
    price_k = price_k + 10 * torch.randn(n, generator=g)
    return TensorDataset(x, price_k)


def evaluate(model, loader):
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            se += ((model(x).squeeze(-1) - y) ** 2).sum().item()
            n += len(y)
    model.train()
    return (se / n) ** 0.5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args()

    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)

    ds = build_listings()
    train_ds = torch.utils.data.Subset(ds, range(0, 3584))
    val_ds = torch.utils.data.Subset(ds, range(3584, 4096))
    sampler = DistributedSampler(train_ds, num_replicas=world, rank=rank, seed=0)
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, sampler=sampler)
    val_loader = DataLoader(val_ds, batch_size=256)

    net = nn.Sequential(nn.Linear(4, 128), nn.GELU(), nn.Linear(128, 128), nn.GELU(), nn.Linear(128, 1))
    model = DDP(net)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scaler = torch.amp.GradScaler("cpu")
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for x, y in train_loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                pred = model(x).squeeze(-1)
                loss = loss_fn(pred.float(), y)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if rank == 0 and (step < 8 or step % 50 == 0):
                print(f"step {step} loss {loss.item():.2f} scale {scaler.get_scale():.0f}")
            step += 1
        rmse = evaluate(model, val_loader)
        if rank == 0:
            print(f"epoch {epoch} val rmse {rmse:.2f}k")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
