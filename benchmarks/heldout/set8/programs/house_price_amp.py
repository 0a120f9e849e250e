import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)

n = 4096
sqft = 600 + 3400 * torch.rand(n)
bedrooms = torch.randint(1, 6, (n,)).float()
age = 80 * torch.rand(n)
dist_center = 30 * torch.rand(n)
X = torch.stack([(sqft - 2300) / 1000, (bedrooms - 3) / 1.4, (age - 40) / 23, (dist_center - 15) / 8.7], 1)
price = 150_000 + 120 * sqft + 8_000 * bedrooms - 900 * age - 2_500 * dist_center
price = price + 15_000 * torch.randn(n)
y = price.unsqueeze(1)  # sale price in dollars

loader = DataLoader(TensorDataset(X, y), batch_size=128, shuffle=True,
                    generator=torch.Generator().manual_seed(3))

model = nn.Sequential(nn.Linear(4, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-2)
scaler = torch.amp.GradScaler("cpu")

step = 0
for epoch in range(3):
    for xb, yb in loader:
        optimizer.zero_grad()
        with torch.autocast(device_type="cpu", dtype=torch.float16):
            pred = model(xb)
            loss = nn.functional.l1_loss(pred.float(), yb)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} mae ${loss.item():,.0f} scale {scaler.get_scale():.0f}")
        step += 1
