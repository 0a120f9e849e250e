import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)

FEATURES = ["sqft", "bedrooms", "bathrooms", "lot_size", "year_built", "garage", "county_code", "dist_center"]


def make_listings(n=2048):
    g = torch.Generator().manual_seed(7)
    sqft = 800 + 2200 * torch.rand(n, generator=g)
    bedrooms = torch.randint(1, 6, (n,), generator=g).float()
    bathrooms = torch.randint(1, 4, (n,), generator=g).float()
    lot = 2000 + 8000 * torch.rand(n, generator=g)
    year = torch.randint(1950, 2021, (n,), generator=g).float()
    garage = torch.randint(0, 3, (n,), generator=g).float()
    county = torch.full((n,), 37.0)
    dist = 30 * torch.rand(n, generator=g)
    X = torch.stack([sqft, bedrooms, bathrooms, lot, year, garage, county, dist], dim=1)
    price = 50 + 0.12 * sqft + 15 * bathrooms + 0.004 * lot + 0.8 * (year - 1950) - 3 * dist
    price = price + 10 * torch.randn(n, generator=g)
    return X, price.unsqueeze(1)


X, y = make_listings()
mu, sigma = X.mean(dim=0), X.std(dim=0)
X = (X - mu) / sigma
y = (y - y.mean()) / y.std()

loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)

model = nn.Sequential(
    nn.Linear(len(FEATURES), 64),
    nn.ReLU(),
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Linear(64, 1),
)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
criterion = nn.MSELoss()
accum_steps = 4

for epoch in range(3):
    model.train()
    optimizer.zero_grad()
    running = 0.0
    for i, (xb, yb) in enumerate(loader):
        pred = model(xb)
        loss = criterion(pred, yb) / accum_steps
        loss.backward()
        running += loss.item()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
            if (i + 1) % (accum_steps * 8) == 0:
                print(f"epoch {epoch} batch {i + 1}: loss {running / 8:.4f}")
                running = 0.0
print("done")
