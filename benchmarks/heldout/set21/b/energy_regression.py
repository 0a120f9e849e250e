import numpy as np
import torch
import torch.nn as nn

FEATURES = ["outdoor_temp", "humidity", "wind_speed", "occupancy", "hour_sin", "hour_cos", "setpoint", "floor_area"]


def load_building_data(n=1500, seed=3):
    rng = np.random.default_rng(seed)
    outdoor = rng.normal(12, 8, n)
    humidity = rng.uniform(30, 90, n)
    wind = rng.gamma(2.0, 2.0, n)
    occupancy = rng.integers(0, 120, n).astype(np.float64)
    hour = rng.integers(0, 24, n)
    setpoint = np.full(n, 21.0)
    area = np.full(n, 5400.0)
    X = np.stack([outdoor, humidity, wind, occupancy, np.sin(2 * np.pi * hour / 24),
                  np.cos(2 * np.pi * hour / 24), setpoint, area], axis=1)
    y = 0.05 * area / 100 * np.abs(setpoint - outdoor) + 0.3 * occupancy + 2.0 * wind + rng.normal(0, 3, n)
    return X.astype(np.float32), y.astype(np.float32)


class Standardizer:
    def fit(self, X):
        self.mean = X.mean(dim=0)
        self.std = X.std(dim=0)
        return self

    def transform(self, X):
        return (X - self.mean) / self.std


def main():
    torch.manual_seed(0)
    X, y = load_building_data()
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    split = int(0.8 * len(X))
    scaler = Standardizer().fit(X[:split])
    X_train = scaler.transform(X[:split])
    X_val = scaler.transform(X[split:])
    y_train = y[:split].unsqueeze(1)
    y_val = y[split:].unsqueeze(1)
    y_mu, y_sd = y_train.mean(), y_train.std()

    model = nn.Sequential(nn.Linear(len(FEATURES), 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    criterion = nn.MSELoss()

    batch_size = 64
    for epoch in range(15):
        model.train()
        perm = torch.randperm(len(X_train))
        epoch_loss = 0.0
        for i in range(0, len(X_train), batch_size):
            idx = perm[i:i + batch_size]
            pred = model(X_train[idx])
            loss = criterion(pred, (y_train[idx] - y_mu) / y_sd)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            val_rmse = ((model(X_val) * y_sd + y_mu - y_val) ** 2).mean().sqrt()
        print(f"epoch {epoch:2d} train mse {epoch_loss / len(X_train):.4f} val rmse {val_rmse.item():.3f} kWh")


if __name__ == "__main__":
    main()
