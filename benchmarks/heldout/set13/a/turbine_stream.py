import torch
import torch.nn as nn
from torch.utils.data import DataLoader, IterableDataset

SENSORS = ["rotor_rpm", "wind_speed", "nacelle_temp", "gearbox_temp", "pitch_setpoint",
           "generator_current", "vibration_x", "vibration_y"]


class TurbineLogStream(IterableDataset):
    def __init__(self, n_records, seed):
        self.n_records = n_records
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        for _ in range(self.n_records):
            wind = 4 + 10 * torch.rand(1, generator=g)
            rpm = 9 * wind + torch.randn(1, generator=g)
            nacelle = 35 + 3 * torch.randn(1, generator=g)
            gearbox = 55 + 0.8 * rpm + 2 * torch.randn(1, generator=g)
            pitch = torch.full((1,), 2.0)
            current = 12 * wind + 5 * torch.randn(1, generator=g)
            vib = 0.05 * rpm * torch.rand(2, generator=g)
            x = torch.cat([rpm, wind, nacelle, gearbox, pitch, current, vib])
            power = 0.5 * wind ** 3 / 100 + 0.1 * torch.randn(1, generator=g)
            yield x, power


def sensor_stats(stream, n):
    rows = []
    for i, (x, _) in enumerate(stream):
        if i >= n:
            break
        rows.append(x)
    rows = torch.stack(rows)
    return rows.mean(0), rows.std(0)


class StandardizeCollate:
    def __init__(self, mean, std):
        self.mean = mean
        self.std = std

    def __call__(self, samples):
        x = torch.stack([s[0] for s in samples])
        y = torch.stack([s[1] for s in samples])
        x = (x - self.mean) / self.std
        return x, y


def main():
    torch.manual_seed(0)
    mean, std = sensor_stats(TurbineLogStream(1000, seed=1), 500)
    loader = DataLoader(TurbineLogStream(3000, seed=2), batch_size=50,
                        collate_fn=StandardizeCollate(mean, std))
    model = nn.Sequential(nn.Linear(len(SENSORS), 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    for step, (x, y) in enumerate(loader):
        pred = model(x)
        loss = loss_fn(pred, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0:
            print(f"step {step} mse {loss.item():.4f}")


if __name__ == "__main__":
    main()
