import math
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset


class TurbineTelemetry(IterableDataset):
    """Simulated telemetry feed from a gas turbine: one reading per yield."""

    def __init__(self, n_readings=3200, seed=11):
        self.n_readings = n_readings
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        for i in range(self.n_readings):
            rpm = 3000 + 400 * torch.rand(1, generator=g)
            inlet_pressure = 101325 + 2500 * torch.randn(1, generator=g)
            exhaust_temp = 780 + 40 * torch.randn(1, generator=g)
            fuel_flow = 1.8 + 0.2 * torch.rand(1, generator=g)
            ambient = 288 + 10 * math.sin(i / 500)
            x = torch.cat([rpm, inlet_pressure, exhaust_temp, fuel_flow, torch.tensor([ambient])])
            power_mw = (0.012 * rpm + 4e-4 * (inlet_pressure - 101325) - 0.01 * (exhaust_temp - 780)
                        + 8 * fuel_flow - 0.05 * (ambient - 288))
            yield x.float(), power_mw.float()


model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
loss_fn = nn.MSELoss()

loader = DataLoader(TurbineTelemetry(), batch_size=32)
for step, (x, y) in enumerate(loader):
    pred = model(x)
    loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 5 == 0:
        print(f"step {step:4d}  mse {loss.item():.3f}")
print("stream exhausted")
