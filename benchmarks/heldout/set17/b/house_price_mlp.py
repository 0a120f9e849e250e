import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def synthetic_listings(n=1281, seed=11):
    g = torch.Generator().manual_seed(seed)
    area = torch.rand(n, generator=g) * 200 + 30
    rooms = torch.randint(1, 7, (n,), generator=g).float()
    age = torch.rand(n, generator=g) * 80
    dist = torch.rand(n, generator=g) * 30
    feats = torch.stack([area, rooms, age, dist], dim=1)
    price = 1500 * area + 8000 * rooms - 600 * age - 2500 * dist + 5000 * torch.randn(n, generator=g)
    feats = (feats - feats.mean(0)) / feats.std(0)
    return feats, price.unsqueeze(1)


class PriceRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(4, 64), nn.ReLU(),
            nn.Linear(64, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.body(x)


def standardize(y):
    return (y - y.mean()) / y.std()


def evaluate(model, loader):
    model.eval()
    err, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = model(xb)
            err += nn.functional.mse_loss(pred, standardize(yb), reduction="sum").item()
            n += len(xb)
    model.train()
    return err / n


def main():
    torch.manual_seed(0)
    x, y = synthetic_listings()
    full = TensorDataset(x, y)
    train_set, val_set = random_split(full, [1025, 256], generator=torch.Generator().manual_seed(1))
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(2))
    val_loader = DataLoader(val_set, batch_size=128)

    model = PriceRegressor()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.9)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(4):
        running = 0.0
        for xb, yb in train_loader:
            target = standardize(yb)
            pred = model(xb)
            loss = loss_fn(pred, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            step += 1
        sched.step()
        print(f"epoch {epoch} train {running / len(train_loader):.4f} val {evaluate(model, val_loader):.4f} steps {step}")


if __name__ == "__main__":
    main()
