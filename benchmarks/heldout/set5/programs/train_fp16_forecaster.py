import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=80)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--window", type=int, default=32)
parser.add_argument("--lr", type=float, default=2e-3)
args = parser.parse_args()

torch.manual_seed(4)


class LoadCurveStream(IterableDataset):
    def __init__(self, window, seed):
        self.window = window
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        t = torch.arange(self.window + 1).float()
        while True:
            base = 40 + 20 * torch.rand(512, 1, generator=g)
            daily = 12 * torch.sin(2 * torch.pi * (t + 24 * torch.rand(512, 1, generator=g)) / 24)
            noise = 2 * torch.randn(512, self.window + 1, generator=g)
            series = base + daily + noise
            for row in series:
                yield row[:-1] / 50.0, row[-1] / 10.0


model = nn.Sequential(nn.Linear(args.window, 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
scaler = torch.amp.GradScaler("cpu")
loader = DataLoader(LoadCurveStream(args.window, seed=4), batch_size=args.batch_size)

for step, (hist, target) in enumerate(loader):
    if step >= args.steps:
        break
    with torch.autocast(device_type="cpu", dtype=torch.float16):
        pred = model(hist).squeeze(-1)
    loss = F.mse_loss(pred.float(), target)
    opt.zero_grad()
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=10.0)
    scaler.step(opt)
    scaler.update()
    if step < 8 or step % 10 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}  grad_norm {grad_norm.item():.4g}  scale {scaler.get_scale():.0f}")
