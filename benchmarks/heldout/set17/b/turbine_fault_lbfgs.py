import torch
from torch import nn

FEATURES = ["wind_speed", "rotor_rpm", "pitch_angle", "gearbox_temp", "ambient_temp", "yaw_error", "grid_freq"]

torch.manual_seed(0)
g = torch.Generator().manual_seed(13)
n = 800
wind = torch.rand(n, generator=g) * 20
rpm = wind * 0.9 + torch.randn(n, generator=g)
pitch = torch.clamp(wind - 12, min=0) * 2 + torch.randn(n, generator=g) * 0.3
gear = 40 + rpm * 1.5 + torch.randn(n, generator=g) * 2
ambient = 10 + torch.randn(n, generator=g) * 5
yaw = torch.randn(n, generator=g) * 4
grid = torch.full((n,), 50.0)  # farm export is frequency-locked
raw = torch.stack([wind, rpm, pitch, gear, ambient, yaw, grid], dim=1)
fault = ((gear > 62) | (yaw.abs() > 7)).float().unsqueeze(1)

train_x, test_x = raw[:640], raw[640:]
train_y, test_y = fault[:640], fault[640:]

lo = train_x.min(0).values
hi = train_x.max(0).values
span = hi - lo
train_x = (train_x - lo) / span
test_x = (test_x - lo) / span

model = nn.Sequential(nn.Linear(len(FEATURES), 32), nn.Tanh(), nn.Linear(32, 1))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=20, history_size=10,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = criterion(model(train_x), train_y)
    loss.backward()
    return loss


for it in range(15):
    loss = optimizer.step(closure)
    with torch.no_grad():
        acc = ((model(test_x) > 0).float() == test_y).float().mean()
    print(f"outer step {it} loss {loss.item():.4f} test acc {acc.item():.3f}")
