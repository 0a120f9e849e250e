import numpy as np
import torch
import torch.nn as nn


def make_plant_log(n_rows=512, seed=7):
    rng = np.random.default_rng(seed)
    steam_flow = rng.uniform(20.0, 60.0, n_rows)
    feed_temp = rng.normal(105.0, 6.0, n_rows)
    excess_air = rng.uniform(0.05, 0.35, n_rows)
    stack_temp = 140.0 + 1.8 * steam_flow + rng.normal(0.0, 4.0, n_rows)
    drum_pressure = np.full(n_rows, 42.0)
    fuel_lhv = rng.normal(48.5, 0.4, n_rows)
    X = np.stack([steam_flow, feed_temp, excess_air, stack_temp, drum_pressure, fuel_lhv], axis=1)
    eff = (0.92 - 0.0009 * (stack_temp - 140.0) - 0.12 * excess_air
           + 0.0004 * (feed_temp - 105.0) + 0.002 * (drum_pressure - 40.0)
           + rng.normal(0.0, 0.004, n_rows))
    return X.astype(np.float32), eff.astype(np.float32)


class Standardizer:
    def fit(self, X):
        self.mean = X.mean(axis=0)
        self.scale = X.std(axis=0)
        return self

    def transform(self, X):
        return (X - self.mean) / self.scale


class EfficiencyNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 1))

    def forward(self, x):
        return self.body(x).squeeze(-1)


def main():
    torch.manual_seed(0)
    X, y = make_plant_log()
    n_train = 400
    scaler = Standardizer().fit(X[:n_train])
    Xt = torch.from_numpy(scaler.transform(X))
    yt = torch.from_numpy(y)
    x_train, y_train = Xt[:n_train], yt[:n_train]
    x_val, y_val = Xt[n_train:], yt[n_train:]

    model = EfficiencyNet(X.shape[1])
    opt = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=10, history_size=20,
                            line_search_fn="strong_wolfe")
    loss_fn = nn.MSELoss()

    for step in range(15):
        def closure():
            opt.zero_grad()
            loss = loss_fn(model(x_train), y_train)
            loss.backward()
            return loss

        train_loss = opt.step(closure)
        with torch.no_grad():
            val_loss = loss_fn(model(x_val), y_val)
        print(f"step {step:2d}  train_mse {train_loss.item():.6f}  val_mse {val_loss.item():.6f}")


if __name__ == "__main__":
    main()
