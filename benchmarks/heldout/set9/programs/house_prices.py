import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_listings(n=4000, seed=4):
    gen = torch.Generator().manual_seed(seed)
    sqft = 600 + 2400 * torch.rand(n, generator=gen)
    bedrooms = torch.randint(1, 6, (n,), generator=gen).float()
    age = 80 * torch.rand(n, generator=gen)
    dist_km = 30 * torch.rand(n, generator=gen)
    price = 150_000 + 210 * sqft + 12_000 * bedrooms - 900 * age - 4_000 * dist_km
    price = price * (1 + 0.08 * torch.randn(n, generator=gen))
    x = torch.stack([sqft / 1000, bedrooms, age / 10, dist_km / 10], dim=1)
    return x, price


def main():
    torch.manual_seed(0)
    x, price = make_listings()
    loader = DataLoader(TensorDataset(x, price), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(price.mean())
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=150, gamma=0.3)
    loss_fn = nn.MSELoss()

    step = 0
    log_every = 50
    running = 0.0
    for epoch in range(6):
        for xb, yb in loader:
            pred = model(xb).squeeze(-1)
            loss = loss_fn(pred, yb)
            optimizer.zero_grad()
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=float("inf"))
            optimizer.step()
            scheduler.step()
            running += loss.item()
            step += 1
            if step % log_every == 0:
                print(f"step {step:4d}  mse {running / log_every:.4e}  rmse ${(running / log_every) ** 0.5:,.0f}  "
                      f"grad_norm {grad_norm.item():.3e}")
                running = 0.0


if __name__ == "__main__":
    main()
