import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(2024)

# --- per-structure descriptors (power-spectrum-like invariants averaged over atoms) ---
n_structures, n_features = 256, 12
base = rng.normal(0.0, 1.0, (n_structures, n_features))
base[:, 3] = 8.0412 + 5e-4 * rng.normal(size=n_structures)
base[:, 7] = 0.81530 + 2e-5 * rng.normal(size=n_structures)
X = torch.tensor(base, dtype=torch.float32)
w_true = rng.normal(0.0, 0.5, n_features)
E = torch.tensor(base @ w_true + 0.1 * np.sin(base[:, 0] * base[:, 1]) + 0.01 * rng.normal(size=n_structures),
                 dtype=torch.float32)

n_train = 200
X_train, E_train = X[:n_train], E[:n_train]
X_test, E_test = X[n_train:], E[n_train:]


def mean_over_samples(x):
    return x.mean(dim=0, keepdim=True)


def std_over_samples(x):
    mean = mean_over_samples(x)
    mean_sq = (x * x).mean(dim=0, keepdim=True)
    return torch.sqrt(mean_sq - mean * mean)


class EnergyModel(nn.Module):
    def __init__(self, n_in, hidden=32):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(n_in, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        x = (x - mean_over_samples(x)) / (std_over_samples(x) + 1e-6)
        return self.mlp(x).squeeze(-1)


model = EnergyModel(n_features)
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=20, history_size=10,
                              line_search_fn="strong_wolfe")
loss_fn = nn.MSELoss()

for outer in range(4):
    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(X_train), E_train)
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    with torch.no_grad():
        rmse = torch.sqrt(loss_fn(model(X_test), E_test))
    print(f"outer {outer} train mse {loss.item():.6f} test rmse {rmse.item():.4f}")
