import argparse

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, Dataset

SIG_LEN = 256
N_CLASSES = 4


class SyntheticECG(Dataset):
    def __init__(self, n, seed=0):
        g = torch.Generator().manual_seed(seed)
        t = torch.linspace(0, 1, SIG_LEN)
        self.y = torch.randint(0, N_CLASSES, (n,), generator=g)
        rate = 4 + 2 * self.y.float() + 0.3 * torch.randn(n, generator=g)
        phase = torch.rand(n, generator=g) * 6.283
        beats = torch.sin(6.283 * rate[:, None] * t[None] + phase[:, None]) ** 15
        self.x = (beats + 0.1 * torch.randn(n, SIG_LEN, generator=g)).unsqueeze(1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class ECGNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 32, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, 3, padding=1), nn.ReLU(),
        )
        self.fc = nn.Linear(64, N_CLASSES)

    def forward(self, x):
        h = self.conv(x).amax(dim=-1)
        return self.fc(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--lr", type=float, default=1e-3)
    args = ap.parse_args()

    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    ds = SyntheticECG(2048)
    sampler = DistributedSampler(ds, seed=0)
    loader = DataLoader(ds, batch_size=64, sampler=sampler, drop_last=True)
    model = DDP(ECGNet())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**24)

    step, epoch = 0, 0
    while step < args.steps:
        sampler.set_epoch(epoch)
        for x, y in loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(x)
                loss = F.cross_entropy(logits, y, reduction="sum")
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(opt)
            scaler.update()
            if rank == 0 and (step < 10 or step % 10 == 0):
                print(f"step {step} loss {loss.item() / len(y):.4f} grad_norm {grad_norm.item():.4g} scale {scaler.get_scale():.0f}")
            step += 1
            if step >= args.steps:
                break
        epoch += 1
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
