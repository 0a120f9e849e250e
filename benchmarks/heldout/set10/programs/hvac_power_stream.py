import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, IterableDataset

CHANNELS = ["outdoor_temp", "indoor_temp", "humidity", "occupancy", "fan_speed", "economizer_pos"]
WINDOW = 12


def simulate_building(n_minutes, seed, season_offset=0.0):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n_minutes, dtype=torch.float32)
    day = 2 * math.pi * t / 1440.0
    outdoor = 12 + season_offset + 8 * torch.sin(day - 1.2) + 0.5 * torch.randn(n_minutes, generator=g)
    indoor = 21 + 1.5 * torch.sin(day - 0.6) + 0.2 * torch.randn(n_minutes, generator=g)
    humidity = 45 + 10 * torch.sin(day + 0.3) + torch.randn(n_minutes, generator=g)
    occupancy = torch.clamp(40 * torch.sin(day - 1.8), min=0) + 2 * torch.rand(n_minutes, generator=g)
    fan = 0.4 + 0.3 * (occupancy > 5).float() + 0.05 * torch.randn(n_minutes, generator=g)
    economizer = 0.6 * ((outdoor > 16) & (outdoor < 21)).float()
    power = 3.0 + 0.12 * (indoor - outdoor).abs() + 0.05 * occupancy + 4.0 * fan ** 2 - 1.5 * economizer
    power = power + 0.1 * torch.randn(n_minutes, generator=g)
    return torch.stack([outdoor, indoor, humidity, occupancy, fan, economizer], dim=1), power


class TelemetryStream(IterableDataset):
    def __init__(self, n_minutes, seed, mean=None, std=None):
        super().__init__()
        self.n_minutes = n_minutes
        self.seed = seed
        self.mean = mean
        self.std = std

    def __iter__(self):
        readings, power = simulate_building(self.n_minutes, self.seed)
        if self.mean is not None:
            readings = (readings - self.mean) / self.std
        for end in range(WINDOW, self.n_minutes):
            yield readings[end - WINDOW:end].reshape(-1), power[end]


def channel_stats(n_minutes, seed, season_offset):
    readings, _ = simulate_building(n_minutes, seed, season_offset)
    mean = readings.mean(dim=0)
    std = readings.std(dim=0)
    return mean, std


class LoadForecaster(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main():
    torch.manual_seed(0)
    mean, std = channel_stats(2 * 1440, seed=100, season_offset=-9.0)
    print("calibration mean:", [round(v, 2) for v in mean.tolist()])
    stream = TelemetryStream(3 * 1440, seed=1, mean=mean, std=std)
    loader = DataLoader(stream, batch_size=32)

    model = LoadForecaster(WINDOW * len(CHANNELS))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    for step, (window, target) in enumerate(loader):
        pred = model(window)
        loss = loss_fn(pred, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0:
            print(f"step {step:4d}  mse {loss.item():.4f}")
        if step >= 120:
            break


if __name__ == "__main__":
    main()
