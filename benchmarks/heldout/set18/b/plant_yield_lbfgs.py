import torch
from torch import nn

FEATURES = ["temp_c", "humidity", "soil_ph", "light_hours", "co2_ppm", "irrigation_l", "greenhouse_id"]


def load_measurements(n=600, seed=7):
    g = torch.Generator().manual_seed(seed)
    temp = 18 + 8 * torch.rand(n, generator=g)
    hum = 40 + 40 * torch.rand(n, generator=g)
    ph = 5.5 + 2 * torch.rand(n, generator=g)
    light = 10 + 6 * torch.rand(n, generator=g)
    co2 = 400 + 600 * torch.rand(n, generator=g)
    water = 1 + 4 * torch.rand(n, generator=g)
    house = torch.full((n,), 3.0)
    X = torch.stack([temp, hum, ph, light, co2, water, house], 1)
    y = (0.3 * temp - 0.004 * (hum - 60) ** 2 - 0.8 * (ph - 6.5) ** 2 + 0.5 * light
         + 0.002 * co2 + 0.6 * torch.log(water) + 0.3 * torch.randn(n, generator=g))
    return X, y.unsqueeze(1)


def min_max_fit(X):
    return X.min(0).values, X.max(0).values


def min_max_apply(X, lo, hi):
    return (X - lo) / (hi - lo)


X, y = load_measurements()
n_train = 480
lo, hi = min_max_fit(X[:n_train])
Xn = min_max_apply(X, lo, hi)
y_mean, y_std = y[:n_train].mean(), y[:n_train].std()
yn = (y - y_mean) / y_std

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(len(FEATURES), 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=20, history_size=10, line_search_fn="strong_wolfe")
loss_fn = nn.MSELoss()

for epoch in range(15):
    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(Xn[:n_train]), yn[:n_train])
        loss.backward()
        return loss

    train_loss = optimizer.step(closure)
    with torch.no_grad():
        val = loss_fn(model(Xn[n_train:]), yn[n_train:])
    print(f"epoch {epoch} train_mse {train_loss.item():.4f} val_mse {val.item():.4f}")
