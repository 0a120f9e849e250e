import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)


def load_meter_data(n_days=1500, window=48):
    t = torch.arange(n_days * 24).float()
    load_kw = 8000 + 2500 * torch.sin(2 * torch.pi * t / 24) + 1200 * torch.sin(2 * torch.pi * t / (24 * 7))
    load_kw = load_kw + 150 * torch.randn_like(load_kw)
    xs = load_kw.unfold(0, window + 1, 24)
    x, y = xs[:, :window], xs[:, window:]
    scale = 1000.0
    return x / scale, y


class Forecaster(nn.Module):
    def __init__(self, window=48):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(window, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader, loss_fn):
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item() * len(xb)
            n += len(xb)
    model.train()
    return total / n


def main():
    x, y = load_meter_data()
    split = int(0.8 * len(x))
    train_dl = DataLoader(TensorDataset(x[:split], y[:split]), batch_size=32, shuffle=True,
                          generator=torch.Generator().manual_seed(0))
    val_dl = DataLoader(TensorDataset(x[split:], y[split:]), batch_size=128)
    model = Forecaster()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    epochs = 12
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train_dl))
    loss_fn = nn.MSELoss()
    for epoch in range(epochs):
        for xb, yb in train_dl:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            opt.step()
            sched.step()
        val = evaluate(model, val_dl, loss_fn)
        print(f"epoch {epoch} train_mse {loss.item():.1f} grad_norm {gnorm.item():.3e} val_mse {val:.1f} lr {sched.get_last_lr()[0]:.2e}")


if __name__ == "__main__":
    main()
