import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(7)

N_HOMES = 2048
sqft = torch.randint(600, 4500, (N_HOMES,)).float()
bedrooms = torch.randint(1, 6, (N_HOMES,)).float()
year_built = torch.randint(1950, 2022, (N_HOMES,)).float()
lot_size = torch.randint(2000, 20000, (N_HOMES,)).float()
features = torch.stack([sqft, bedrooms, year_built, lot_size], dim=1)
price = (150.0 * sqft + 10000.0 * bedrooms + 500.0 * (year_built - 1950)
         + 2.0 * lot_size + 20000.0 * torch.randn(N_HOMES))
price_k = (price / 1000.0).unsqueeze(1)

dataset = TensorDataset(features, price_k)
loader = DataLoader(dataset, batch_size=16, shuffle=True)

model = nn.Linear(4, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)

accum_steps = 4
epochs = 3
step = 0
for epoch in range(epochs):
    optimizer.zero_grad()
    for i, (x, y) in enumerate(loader):
        pred = model(x)
        loss = criterion(pred, y) / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
            if step % 2 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item() * accum_steps:.4f}")
            step += 1
print("done")
