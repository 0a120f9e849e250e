import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# synthetic turbine telemetry: wind speed, direction (sin/cos), air density, blade pitch
n = 2048
speed = torch.rand(n) * 20.0
direction = torch.rand(n) * 6.2832
density = 1.1 + 0.2 * torch.rand(n)
pitch = torch.rand(n) * 10.0
features = torch.stack([speed / 20.0, torch.sin(direction), torch.cos(direction),
                        density - 1.2, pitch / 10.0], dim=1)
power = (torch.clamp(speed - 3.0, min=0.0) ** 1.5 * density / 40.0).clamp(max=2.0).unsqueeze(1)

loader = DataLoader(TensorDataset(features, power), batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(0))


class PowerCurveNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(5, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                                  nn.Linear(64, 1))

    def forward(self, x):
        r = self.body(x)
        # turbines produce nothing below cut-in; above it output follows a root law
        return torch.where(r > 0, torch.sqrt(r), torch.zeros_like(r))


model = PowerCurveNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

step = 0
for epoch in range(5):
    for xb, yb in loader:
        pred = model(xb)
        loss = loss_fn(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.5f}")
        step += 1
print("final loss", loss.item())
