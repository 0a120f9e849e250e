import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

ACCUM_STEPS = 4


def load_listings(n=4000, seed=21):
    g = torch.Generator().manual_seed(seed)
    sqft = 800 + 2600 * torch.rand(n, generator=g)
    lot = 3000 + 15000 * torch.rand(n, generator=g)
    year = torch.randint(1940, 2022, (n,), generator=g).float()
    beds = torch.randint(1, 6, (n,), generator=g).float()
    dist_km = 1 + 30 * torch.rand(n, generator=g)
    price_k = (0.14 * sqft + 0.004 * lot + 1.1 * (year - 1940) + 12 * beds - 4.5 * dist_km
               + 25 * torch.randn(n, generator=g))
    features = torch.stack([sqft, lot, year, beds, dist_km], dim=1)
    return features, price_k


def build_model(n_features):
    return nn.Sequential(
        nn.Linear(n_features, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )


def main():
    torch.manual_seed(0)
    x, y = load_listings()
    n_train = 3500
    train = TensorDataset(x[:n_train], y[:n_train])
    loader = DataLoader(train, batch_size=32, shuffle=True)

    model = build_model(x.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    loss_fn = nn.MSELoss()

    update = 0
    for epoch in range(3):
        optimizer.zero_grad()
        for i, (xb, yb) in enumerate(loader):
            pred = model(xb).squeeze(-1)
            loss = loss_fn(pred, yb) / ACCUM_STEPS
            if not torch.isfinite(loss):
                raise RuntimeError(f"loss is {loss.item()} at update {update} (batch {i})")
            loss.backward()
            if (i + 1) % ACCUM_STEPS == 0:
                optimizer.step()
                optimizer.zero_grad()
                if update % 5 == 0:
                    print(f"epoch {epoch} update {update:3d} mse {loss.item() * ACCUM_STEPS:.2f}")
                update += 1
        with torch.no_grad():
            val = loss_fn(model(x[n_train:]).squeeze(-1), y[n_train:]).item()
        print(f"epoch {epoch} val mse {val:.2f}")


if __name__ == "__main__":
    main()
