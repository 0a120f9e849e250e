import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=120)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--amp-dtype", default="float16", choices=["float16", "bfloat16"])
args = parser.parse_args()

torch.manual_seed(8)

n = 5000
sqft = torch.rand(n) * 2500 + 600
rooms = torch.randint(1, 7, (n,)).float()
age = torch.rand(n) * 80
dist_center = torch.rand(n) * 30
features = torch.stack([sqft, rooms, age, dist_center], dim=1)
price = 60_000 + 140 * sqft + 9_000 * rooms - 900 * age - 3_000 * dist_center + 15_000 * torch.randn(n)

x_mean, x_std = features.mean(0), features.std(0)


class PriceModel(nn.Module):
    def __init__(self, y_mean, y_std):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
        self.register_buffer("x_mean", x_mean)
        self.register_buffer("x_std", x_std)
        self.register_buffer("y_mean", torch.tensor(y_mean))
        self.register_buffer("y_std", torch.tensor(y_std))

    def forward(self, feats):
        z = (feats - self.x_mean) / self.x_std
        return self.net(z).squeeze(-1) * self.y_std + self.y_mean


model = PriceModel(price.mean().item(), price.std().item())
opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
scaler = torch.amp.GradScaler("cpu")
amp_dtype = getattr(torch, args.amp_dtype)

for step in range(args.steps):
    idx = torch.randint(0, n, (args.batch_size,))
    with torch.autocast(device_type="cpu", dtype=amp_dtype):
        pred = model(features[idx])
        loss = F.mse_loss(pred / model.y_std, price[idx] / model.y_std)
    opt.zero_grad()
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    if step % 10 == 0:
        mae = (pred.float() - price[idx]).abs().mean()
        print(f"step {step:3d}  loss {loss.item():.4f}  mae ${mae.item():,.0f}  scale {scaler.get_scale():.1f}")
