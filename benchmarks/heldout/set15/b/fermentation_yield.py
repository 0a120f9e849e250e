import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(42)

# batch records from the pilot plant
n_batches = 600
feature_names = ["ph_start", "temp_c", "o2_sat", "agitation_rpm", "feed_rate", "pressure_bar", "glucose_gl", "inoc_density"]
raw = np.column_stack([
    rng.normal(6.8, 0.15, n_batches),
    rng.normal(32.0, 0.8, n_batches),
    rng.uniform(20, 60, n_batches),
    rng.normal(400, 40, n_batches),
    rng.uniform(0.5, 2.5, n_batches),
    np.full(n_batches, 1.2),
    rng.uniform(10, 40, n_batches),
    rng.lognormal(0.0, 0.3, n_batches),
])
yield_gl = (
    0.8 * raw[:, 6] - 3.0 * (raw[:, 0] - 6.8) ** 2 * 10 + 0.05 * raw[:, 2]
    + 4.0 * raw[:, 4] - 0.5 * (raw[:, 1] - 32.0) ** 2 + rng.normal(0, 1.0, n_batches)
)

X = torch.tensor(raw, dtype=torch.float32)
y = torch.tensor(yield_gl, dtype=torch.float32)[:, None]

train_idx = torch.arange(0, 480)
val_idx = torch.arange(480, n_batches)

mu = X[train_idx].mean(dim=0)
sigma = X[train_idx].std(dim=0)
X = (X - mu) / sigma
y_mu, y_sigma = y[train_idx].mean(), y[train_idx].std()
y = (y - y_mu) / y_sigma

model = nn.Sequential(nn.Linear(len(feature_names), 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=20, history_size=10, line_search_fn="strong_wolfe")
loss_fn = nn.MSELoss()

Xtr, ytr = X[train_idx], y[train_idx]
Xva, yva = X[val_idx], y[val_idx]

for it in range(15):
    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(Xtr), ytr)
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    with torch.no_grad():
        val_rmse = loss_fn(model(Xva), yva).sqrt().item() * y_sigma.item()
    print(f"outer iter {it:2d} train mse {loss.item():.5f} val rmse {val_rmse:.3f} g/L")
