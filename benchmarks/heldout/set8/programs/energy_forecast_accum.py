import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(1)


class HourlyLoad(Dataset):
    """Household electricity load: predict next-hour kWh from the past 24 hours."""

    def __init__(self, n_days=60):
        t = torch.arange(n_days * 24, dtype=torch.float32)
        daily = 0.6 + 0.4 * torch.sin(2 * math.pi * t / 24.0)
        weekly = 0.1 * torch.sin(2 * math.pi * t / (24.0 * 7))
        self.series = daily + weekly + 0.05 * torch.randn_like(t)

    def __len__(self):
        return len(self.series) - 25

    def __getitem__(self, i):
        return self.series[i:i + 24], self.series[i + 24:i + 25]


loader = DataLoader(HourlyLoad(), batch_size=32, shuffle=True,
                    generator=torch.Generator().manual_seed(1))
model = nn.Sequential(nn.Linear(24, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
criterion = nn.MSELoss()
accum_steps = 2

global_step = 0
for epoch in range(6):
    running = 0.0
    for i, (x, y) in enumerate(loader):
        loss = criterion(model(x), y) / accum_steps
        loss.backward()
        running += loss.item()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            if global_step % 5 == 0:
                print(f"epoch {epoch} update {global_step} loss {running:.5f}")
            running = 0.0
            global_step += 1
print("done, last loss", loss.item() * accum_steps)
