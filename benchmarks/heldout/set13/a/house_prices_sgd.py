import torch
import torch.nn as nn

torch.manual_seed(42)


def make_listings(n):
    sqft = torch.randint(600, 4200, (n, 1)).float()
    bedrooms = torch.randint(1, 6, (n, 1)).float()
    year_built = torch.randint(1950, 2022, (n, 1)).float()
    lot_sqft = torch.randint(2000, 15000, (n, 1)).float()
    dist_km = torch.rand(n, 1) * 30
    x = torch.cat([sqft, bedrooms, year_built, lot_sqft, dist_km], dim=1)
    price_k = 0.15 * sqft + 12 * bedrooms + 0.8 * (year_built - 1950) + 0.004 * lot_sqft - 3 * dist_km + 50
    price_k = price_k + 10 * torch.randn(n, 1)
    return x, price_k


def minibatches(x, y, batch_size):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), batch_size):
        idx = perm[i:i + batch_size]
        yield x[idx], y[idx]


x_train, y_train = make_listings(2000)
model = nn.Linear(5, 1)
lr = 1e-7
step = 0
for epoch in range(5):
    for xb, yb in minibatches(x_train, y_train, 64):
        pred = model(xb)
        loss = ((pred - yb) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} mse {loss.item():.2f}")
        step += 1
