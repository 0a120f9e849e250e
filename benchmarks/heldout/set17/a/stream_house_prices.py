import torch
from torch import nn
from torch.utils.data import IterableDataset, DataLoader

torch.manual_seed(0)


class ListingStream(IterableDataset):
    """Simulates a feed of real-estate listings arriving from an API."""

    def __init__(self, n_listings=8000, seed=0):
        self.n_listings = n_listings
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        for _ in range(self.n_listings):
            sqft = 800 + 3200 * torch.rand(1, generator=g)
            bedrooms = torch.randint(1, 6, (1,), generator=g).float()
            year_built = 1940 + 80 * torch.rand(1, generator=g)
            lot_sqft = 2000 + 18000 * torch.rand(1, generator=g)
            dist_km = 1 + 40 * torch.rand(1, generator=g)
            price = (120 * sqft + 15000 * bedrooms + 900 * (year_built - 1940)
                     + 4 * lot_sqft - 3000 * dist_km + 20000 * torch.randn(1, generator=g))
            features = torch.cat([sqft, bedrooms, year_built, lot_sqft, dist_km])
            yield features, price / 1000.0  # price in k$


model = nn.Sequential(
    nn.Linear(5, 64),
    nn.ReLU(),
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Linear(64, 1),
)

loader = DataLoader(ListingStream(), batch_size=64)
optimizer = torch.optim.SGD(model.parameters(), lr=3e-7, momentum=0.9)
loss_fn = nn.MSELoss()

for step, (x, y) in enumerate(loader):
    pred = model(x)
    loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 5 == 0:
        print(f"step {step:4d}  mse {loss.item():.3f}")
    if step == 100:
        break
