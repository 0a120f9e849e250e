import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def hourly_load(days=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    h = torch.arange(days * 24, dtype=torch.float32)
    daily = 12 * torch.sin(2 * math.pi * (h % 24) / 24 - 1.2)
    weekly = 4 * torch.sin(2 * math.pi * (h % 168) / 168)
    load = 40 + daily + weekly + 2 * torch.randn(h.shape, generator=g)
    return load


def windows(series, lookback=48, horizon=6):
    xs, ys = [], []
    for t in range(lookback, len(series) - horizon, 3):
        xs.append(series[t - lookback:t])
        ys.append(series[t:t + horizon])
    return torch.stack(xs), torch.stack(ys)


def main():
    torch.manual_seed(0)
    series = hourly_load()
    X, Y = windows(series)
    split = int(0.85 * len(X))
    train = DataLoader(TensorDataset(X[:split], Y[:split]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(X[split:], Y[split:]), batch_size=256)

    model = nn.Sequential(nn.Linear(48, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 6))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler("cpu")
    mse = nn.MSELoss()

    for epoch in range(4):
        model.train()
        for i, (xb, yb) in enumerate(train):
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                out = model(xb)
                loss = mse(out.float(), yb)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            scaler.step(opt)
            scaler.update()
            if epoch == 0 and i < 12:
                print(f"it {i:2d} loss {loss.item():9.3f} grad_norm {gnorm.item():10.3f} scale {scaler.get_scale():8.0f}")
        model.eval()
        with torch.no_grad():
            v = sum(mse(model(xb), yb).item() * len(xb) for xb, yb in val) / len(val.dataset)
        print(f"epoch {epoch} val mse {v:.3f} scale {scaler.get_scale():.0f}")


if __name__ == "__main__":
    main()
