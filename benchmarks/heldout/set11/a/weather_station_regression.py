import math
import torch
from torch import nn

torch.manual_seed(7)

FEATURES = ["temp_c", "pressure_hpa", "rel_humidity", "wind_ms", "rain_mm_h", "cloud_frac"]


def make_station_records(n_hours=4096):
    t = torch.arange(n_hours, dtype=torch.float32)
    temp = 18 + 6 * torch.sin(2 * math.pi * t / 24) + torch.randn(n_hours)
    pressure = 1013 + 4 * torch.randn(n_hours)
    humidity = (60 + 15 * torch.cos(2 * math.pi * t / 24) + 5 * torch.randn(n_hours)).clamp(5, 100)
    wind = torch.relu(3 + 2 * torch.randn(n_hours))
    rain = torch.zeros(n_hours)
    cloud = torch.rand(n_hours)
    x = torch.stack([temp, pressure, humidity, wind, rain, cloud], dim=1)
    # target: next-hour temperature
    y = temp.roll(-1) + 0.1 * (humidity - 60) / 15 - 0.5 * cloud
    return x[:-1], y[:-1].unsqueeze(1)


def main():
    x, y = make_station_records()
    n_train = int(0.8 * len(x))
    x_train, y_train = x[:n_train], y[:n_train]
    x_val, y_val = x[n_train:], y[n_train:]

    mean = x_train.mean(dim=0)
    std = x_train.std(dim=0)
    x_train = (x_train - mean) / std
    x_val = (x_val - mean) / std
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train = (y_train - y_mean) / y_std
    y_val = (y_val - y_mean) / y_std

    model = nn.Sequential(nn.Linear(len(FEATURES), 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.MSELoss()

    batch_size = 128
    step = 0
    for epoch in range(3):
        perm = torch.randperm(n_train)
        for i in range(0, n_train, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = x_train[idx], y_train[idx]
            pred = model(xb)
            loss = loss_fn(pred, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} train_mse {loss.item():.4f}")
            step += 1
        with torch.no_grad():
            val = loss_fn(model(x_val), y_val).item()
        print(f"epoch {epoch} val_mse {val:.4f}")


if __name__ == "__main__":
    main()
