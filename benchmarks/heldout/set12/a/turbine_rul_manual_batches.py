import torch
import torch.nn as nn

torch.manual_seed(21)

n_cycles = 4096
sensor_names = ["fan_speed", "core_speed", "hpc_outlet_temp", "lpt_outlet_temp",
                "bypass_ratio", "fuel_flow", "bleed_enthalpy", "fan_inlet_pressure"]

wear = torch.rand(n_cycles)
readings = torch.stack([
    2388 + 0.08 * wear + 0.02 * torch.randn(n_cycles),
    9050 + 40.0 * wear + 5.0 * torch.randn(n_cycles),
    1590 + 12.0 * wear + 3.0 * torch.randn(n_cycles),
    1400 + 20.0 * wear + 4.0 * torch.randn(n_cycles),
    8.4 + 0.1 * wear + 0.02 * torch.randn(n_cycles),
    520 - 6.0 * wear + 1.5 * torch.randn(n_cycles),
    392 + 4.0 * wear + 1.0 * torch.randn(n_cycles),
    torch.full((n_cycles,), 14.62),
], dim=1)
remaining_life = 200.0 * (1.0 - wear) + 5.0 * torch.randn(n_cycles)

lo = readings.min(dim=0).values
hi = readings.max(dim=0).values
scaled = (readings - lo) / (hi - lo)

split = int(0.8 * n_cycles)
x_train, y_train = scaled[:split], remaining_life[:split] / 200.0
x_val, y_val = scaled[split:], remaining_life[split:] / 200.0

model = nn.Sequential(nn.Linear(len(sensor_names), 64), nn.Tanh(),
                      nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.MSELoss()

batch_size = 128
for epoch in range(8):
    order = torch.randperm(split)
    running = 0.0
    for start in range(0, split, batch_size):
        idx = order[start:start + batch_size]
        pred = model(x_train[idx]).squeeze(-1)
        loss = loss_fn(pred, y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
    with torch.no_grad():
        val_rmse = ((model(x_val).squeeze(-1) - y_val) ** 2).mean().sqrt().item() * 200.0
    print(f"epoch {epoch}  train mse {running / split:.5f}  val RMSE {val_rmse:.2f} cycles")
