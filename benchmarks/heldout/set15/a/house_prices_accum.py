import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)

N = 2048
sqft = torch.empty(N).uniform_(450, 4200)
bedrooms = torch.randint(1, 6, (N,)).float()
bathrooms = torch.randint(1, 4, (N,)).float()
year_built = torch.randint(1920, 2021, (N,)).float()
lot_size = torch.empty(N).uniform_(2000, 22000)
dist_center_km = torch.empty(N).uniform_(0.5, 35.0)

price = (
    120.0 * sqft
    + 8000.0 * bedrooms
    + 12000.0 * bathrooms
    + 450.0 * (year_built - 1920)
    + 3.0 * lot_size
    - 2500.0 * dist_center_km
    + torch.randn(N) * 15000.0
)

features = torch.stack([sqft, bedrooms, bathrooms, year_built, lot_size, dist_center_km], dim=1)
targets = (price / 1000.0).unsqueeze(1)  # in thousands

loader = DataLoader(TensorDataset(features, targets), batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(7))

model = nn.Sequential(
    nn.Linear(6, 32),
    nn.ReLU(),
    nn.Linear(32, 16),
    nn.ReLU(),
    nn.Linear(16, 1),
)

optimizer = torch.optim.SGD(model.parameters(), lr=3e-7, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)
criterion = nn.MSELoss()

accum_steps = 4
epochs = 3
global_step = 0

for epoch in range(epochs):
    model.train()
    running = 0.0
    optimizer.zero_grad()
    for i, (x, y) in enumerate(loader):
        pred = model(x)
        loss = criterion(pred, y) / accum_steps
        loss.backward()
        running += loss.item()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            global_step += 1
            if global_step % 2 == 0:
                print(f"epoch {epoch} step {global_step} loss {running:.4f} lr {scheduler.get_last_lr()[0]:.2e}")
            running = 0.0
    print(f"epoch {epoch} done")
