import torch
from torch import nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import Dataset, DataLoader
from torch.utils.data.distributed import DistributedSampler

GRID = 8
IMG = 32


class ParkingCameraFrames(Dataset):
    def __init__(self, n=256, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.frames, self.heatmaps = [], []
        for i in range(n):
            frame = 0.2 * torch.randn(3, IMG, IMG, generator=g)
            target = torch.zeros(GRID, GRID)
            n_cars = int(torch.randint(0, 4, (1,), generator=g)) if i % 3 == 0 else int(torch.randint(1, 6, (1,), generator=g))
            for _ in range(n_cars):
                cy, cx = torch.randint(0, GRID, (2,), generator=g).tolist()
                frame[:, cy * 4:cy * 4 + 4, cx * 4:cx * 4 + 4] += torch.tensor([0.9, 0.4, 0.1]).view(3, 1, 1)
                target[cy, cx] = 1.0
            self.frames.append(frame)
            self.heatmaps.append(target)

    def __len__(self):
        return len(self.frames)

    def __getitem__(self, i):
        return self.frames[i], self.heatmaps[i]


class CenterHead(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.cls = nn.Conv2d(width, 1, 1)
        nn.init.constant_(self.cls.bias, -2.19)

    def forward(self, x):
        return self.cls(self.backbone(x)).squeeze(1)


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    a_t = alpha * targets + (1 - alpha) * (1 - targets)
    num_pos = targets.sum()
    return (a_t * (1 - p_t) ** gamma * ce).sum() / num_pos


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    ds = ParkingCameraFrames()
    sampler = DistributedSampler(ds, shuffle=True, seed=0)
    loader = DataLoader(ds, batch_size=2, sampler=sampler)
    model = DDP(CenterHead())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for frames, heatmaps in loader:
            loss = focal_loss(model(frames), heatmaps)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"rank {rank} step {step} focal {loss.item():.4f}", flush=True)
            step += 1
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
