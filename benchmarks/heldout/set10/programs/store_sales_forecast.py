import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

LOOKBACK = 28
HORIZON = 7


def simulate_sales(n_stores=24, n_days=260, seed=2):
    g = torch.Generator().manual_seed(seed)
    days = torch.arange(n_days, dtype=torch.float32)
    base = 50 + 150 * torch.rand(n_stores, 1, generator=g)
    weekly = 1 + 0.25 * torch.sin(2 * torch.pi * days / 7 + torch.rand(n_stores, 1, generator=g) * 6.28)
    trend = 1 + 0.001 * torch.randn(n_stores, 1, generator=g) * days
    sales = base * weekly * trend + 5 * torch.randn(n_stores, n_days, generator=g)
    sales = sales.clamp(min=0).round()
    sales[7, 120:165] = 0.0
    return sales


class WindowDataset(Dataset):
    def __init__(self, sales, start, end):
        self.sales = sales
        self.index = [(s, t) for s in range(sales.shape[0]) for t in range(start, end - LOOKBACK - HORIZON + 1)]

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        s, t = self.index[i]
        window = self.sales[s, t:t + LOOKBACK + HORIZON]
        return window[:LOOKBACK], window[LOOKBACK:]


class InstanceNorm1D(nn.Module):
    def forward(self, x):
        self.mean = x.mean(dim=1, keepdim=True)
        self.std = x.std(dim=1, keepdim=True)
        return (x - self.mean) / self.std

    def inverse(self, y):
        return y * self.std + self.mean


class Forecaster(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.norm = InstanceNorm1D()
        self.mlp = nn.Sequential(
            nn.Linear(LOOKBACK, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, HORIZON),
        )

    def forward(self, x):
        z = self.norm(x)
        return self.norm.inverse(self.mlp(z))


def evaluate(model, loader):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            total += (model(x) - y).abs().sum().item()
            count += y.numel()
    model.train()
    return total / count


def main():
    torch.manual_seed(0)
    sales = simulate_sales()
    train_ds = WindowDataset(sales, 0, 210)
    val_ds = WindowDataset(sales, 210 - LOOKBACK, 260)
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = Forecaster()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    epochs = 4
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=epochs * len(train_loader))
    loss_fn = nn.SmoothL1Loss()

    step = 0
    for epoch in range(epochs):
        for x, y in train_loader:
            pred = model(x)
            loss = loss_fn(pred, y)
            optimizer.zero_grad()
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            if step % 25 == 0:
                print(f"epoch {epoch} step {step:4d} loss {loss.item():.4f} grad_norm {grad_norm:.3f} lr {scheduler.get_last_lr()[0]:.2e}")
            step += 1
        print(f"epoch {epoch} val MAE {evaluate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
