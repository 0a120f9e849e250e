import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)

# regional grid demand (MW) from calendar and weather features
n = 3000
hour = torch.randint(0, 24, (n,)).float()
doy = torch.randint(0, 365, (n,)).float()
temp = 15 + 12 * torch.sin(2 * math.pi * (doy - 100) / 365) + 4 * torch.randn(n)
humidity = 40 + 30 * torch.rand(n)
X = torch.stack([torch.sin(2 * math.pi * hour / 24), torch.cos(2 * math.pi * hour / 24),
                 torch.sin(2 * math.pi * doy / 365), torch.cos(2 * math.pi * doy / 365),
                 (temp - 15) / 10, (humidity - 55) / 17], 1)
demand_mw = 42_000 + 9_000 * torch.sin(2 * math.pi * (hour - 7) / 24) + 600 * (temp - 18).abs() \
    + 1_500 * torch.randn(n)
y = demand_mw.unsqueeze(1)

loader = DataLoader(TensorDataset(X, y), batch_size=100, shuffle=True,
                    generator=torch.Generator().manual_seed(4))

model = nn.Sequential(nn.Linear(6, 128), nn.GELU(), nn.Linear(128, 128), nn.GELU(),
                      nn.Linear(128, 1))
with torch.no_grad():
    model[-1].bias.fill_(40_000.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-2, weight_decay=0.0)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4 * len(loader))

step = 0
for epoch in range(4):
    for xb, yb in loader:
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            out = model(xb)
            sq_err = (out.float() - yb) ** 2
            loss = sq_err.mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e9)
        optimizer.step()
        sched.step()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} mse {loss.item():.4e} grad_norm {gnorm.item():.4e} "
                  f"max|out| {out.abs().max().item():.1f}")
        step += 1
rmse = loss.item() ** 0.5
print(f"final rmse {rmse:.1f} MW")
