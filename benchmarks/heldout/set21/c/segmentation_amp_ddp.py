import argparse

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


def synthetic_shapes(n, size=32, seed=3):
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    cx = torch.randint(8, size - 8, (n, 1, 1), generator=g)
    cy = torch.randint(8, size - 8, (n, 1, 1), generator=g)
    r = torch.randint(4, 8, (n, 1, 1), generator=g)
    masks = (((xx - cx) ** 2 + (yy - cy) ** 2) < r ** 2).float()
    images = masks[:, None] * 0.8 + 0.2 * torch.rand(n, 1, size, size, generator=g)
    return images, masks.long()


class TinyUNet(nn.Module):
    def __init__(self, c=16, n_classes=2):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU())
        self.enc2 = nn.Sequential(nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(2 * c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, n_classes, 1))

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        return self.dec(torch.cat([self.up(e2), e1], dim=1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=24)
    p.add_argument("--batch-size", type=int, default=8)
    args = p.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    images, masks = synthetic_shapes(256)
    images, masks = images[rank::world], masks[rank::world]
    model = DDP(TinyUNet())
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")
    for step in range(args.steps):
        lo = (step * args.batch_size) % len(images)
        x, y = images[lo:lo + args.batch_size], masks[lo:lo + args.batch_size]
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(x)
            loss = F.cross_entropy(logits.float(), y, reduction="sum") / x.size(0)
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        scaler.step(opt)
        scaler.update()
        if rank == 0:
            print(f"step {step} loss {loss.item():.2f} grad_norm {gnorm.item():.3g} scale {scaler.get_scale():.0f}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
