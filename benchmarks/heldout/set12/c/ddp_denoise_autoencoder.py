import os
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def synthetic_patches(n, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    cx, cy = torch.rand(n, 1, 1, generator=g) * 2 - 1, torch.rand(n, 1, 1, generator=g) * 2 - 1
    r = 0.2 + 0.5 * torch.rand(n, 1, 1, generator=g)
    clean = (((xx - cx) ** 2 + (yy - cy) ** 2) < r ** 2).float().unsqueeze(1)
    noisy = clean + 0.3 * torch.randn(clean.shape, generator=g)
    return TensorDataset(noisy, clean)


class DenoisingAE(nn.Module):
    def __init__(self, ch=16):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, ch, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(ch, 2 * ch, 3, stride=2, padding=1), nn.ReLU())
        self.dec = nn.Sequential(nn.ConvTranspose2d(2 * ch, ch, 4, stride=2, padding=1), nn.ReLU(),
                                 nn.ConvTranspose2d(ch, 1, 4, stride=2, padding=1))

    def forward(self, x):
        return self.dec(self.enc(x))


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    torch.set_num_threads(1)

    data = synthetic_patches(1024)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=32, sampler=sampler)

    model = DDP(DenoisingAE())
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(3):
        sampler.set_epoch(epoch)
        for noisy, clean in loader:
            with torch.autocast("cpu", dtype=torch.float16):
                recon = model(noisy)
                loss = nn.functional.mse_loss(recon.float(), clean, reduction="sum") / noisy.size(0)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if rank == 0 and (step < 8 or step % 8 == 0):
                print(f"epoch {epoch} step {step} loss {loss.item():.3f} scale {scaler.get_scale():.0f}", flush=True)
            step += 1

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
