import torch
from torch import nn
from torch.utils.data import IterableDataset, DataLoader

FEATURES = ["wind_speed", "wind_dir_sin", "wind_dir_cos", "air_temp", "pitch_angle", "rotor_rpm",
            "curtailment_flag"]


def read_scada(n_rows, seed):
    g = torch.Generator().manual_seed(seed)
    wind = 3.0 + 9.0 * torch.rand(n_rows, generator=g)
    direction = 6.2831 * torch.rand(n_rows, generator=g)
    temp = 12.0 + 4.0 * torch.randn(n_rows, generator=g)
    pitch = torch.clamp(wind - 11.0, min=0.0) * 2.5 + 0.3 * torch.randn(n_rows, generator=g)
    rpm = 4.0 + 1.1 * wind + 0.2 * torch.randn(n_rows, generator=g)
    curtailed = torch.zeros(n_rows)
    curtailed[n_rows // 2:] = (torch.rand(n_rows - n_rows // 2, generator=g) < 0.05).float()
    x = torch.stack([wind, direction.sin(), direction.cos(), temp, pitch, rpm, curtailed], dim=1)
    power = torch.clamp(wind ** 3 / 700.0, max=2.0) * (1 - 0.6 * curtailed) + 0.02 * torch.randn(n_rows, generator=g)
    return x, power


class ScadaStream(IterableDataset):
    def __init__(self, n_rows=20000, warmup_rows=1000, seed=0):
        self.n_rows = n_rows
        self.warmup_rows = warmup_rows
        self.seed = seed

    def __iter__(self):
        x, power = read_scada(self.n_rows, self.seed)
        warm = x[: self.warmup_rows]
        mean = warm.mean(dim=0)
        std = warm.std(dim=0)
        for start in range(0, self.n_rows, 250):
            chunk = (x[start:start + 250] - mean) / std
            for row, target in zip(chunk, power[start:start + 250]):
                yield row, target


torch.manual_seed(0)
loader = DataLoader(ScadaStream(), batch_size=64)
model = nn.Sequential(nn.Linear(len(FEATURES), 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.SmoothL1Loss()

for epoch in range(2):
    running = 0.0
    for step, (x, y) in enumerate(loader):
        pred = model(x).squeeze(-1)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        if step % 50 == 0:
            print(f"epoch {epoch} batch {step} loss {loss.item():.5f}")
    print(f"epoch {epoch} mean loss {running / (step + 1):.5f}")
