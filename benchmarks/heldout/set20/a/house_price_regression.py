import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def load_listings(n=4000, seed=42):
    rng = np.random.default_rng(seed)
    sqft = rng.uniform(550, 4200, n)
    lot = rng.uniform(2500, 22000, n)
    year = rng.integers(1925, 2022, n).astype(float)
    beds = rng.integers(1, 6, n).astype(float)
    dist_km = rng.uniform(0.5, 40, n)
    price_k = (0.18 * sqft + 0.004 * lot + 0.9 * (year - 1925) + 12 * beds
               - 4.0 * dist_km + rng.normal(0, 25, n) + 60)
    features = np.column_stack([sqft, lot, year, beds, dist_km]).astype(np.float32)
    return features, price_k.astype(np.float32)


def evaluate(model, loader, loss_fn):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb).squeeze(1), yb).item() * len(xb)
            count += len(xb)
    return total / count


def main():
    torch.manual_seed(42)
    X, y = load_listings()
    ds = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    train_ds, val_ds = random_split(ds, [3200, 800], generator=torch.Generator().manual_seed(0))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = nn.Linear(5, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=2e-8, momentum=0.9)

    for epoch in range(10):
        model.train()
        for batch_idx, (xb, yb) in enumerate(train_loader):
            pred = model(xb).squeeze(1)
            loss = loss_fn(pred, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if batch_idx % 10 == 0:
                print(f"epoch {epoch} batch {batch_idx} mse {loss.item():.2f}")
        print(f"epoch {epoch} val mse {evaluate(model, val_loader, loss_fn):.2f}")


if __name__ == "__main__":
    main()
