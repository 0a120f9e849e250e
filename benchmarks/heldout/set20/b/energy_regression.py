import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(7)
N_BUILDINGS = 961
features = rng.normal(size=(N_BUILDINGS, 8)).astype(np.float32) * [3, 1, 50, 0.2, 10, 1, 5, 2]
features = features.astype(np.float32)
w = rng.normal(size=(8,)).astype(np.float32)
heating_load = (np.tanh(features / np.abs(features).max(0)) @ w + 0.1 * rng.normal(size=N_BUILDINGS)).astype(np.float32)

X = torch.from_numpy(features)
y = torch.from_numpy(heating_load).unsqueeze(1)


class BatchStandardize(nn.Module):
    def forward(self, x):
        mu = x.mean(dim=0, keepdim=True)
        sd = x.std(dim=0, keepdim=True)
        return (x - mu) / (sd + 1e-5)


model = nn.Sequential(
    BatchStandardize(),
    nn.Linear(8, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
torch.manual_seed(0)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.MSELoss()
batch_size = 64

for epoch in range(3):
    perm = torch.randperm(N_BUILDINGS)
    running = 0.0
    for start in range(0, N_BUILDINGS, batch_size):
        idx = perm[start:start + batch_size]
        xb, yb = X[idx], y[idx]
        pred = model(xb)
        loss = loss_fn(pred, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
    print(f"epoch {epoch}: train mse {running / N_BUILDINGS:.4f}")
