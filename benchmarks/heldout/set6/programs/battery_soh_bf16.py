import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_cycles(n=4096, d=16, seed=0):
    """Per-cycle summary features (voltage/current/temperature stats) -> state of health."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    w = torch.randn(d, generator=g) / d ** 0.5
    soh = 0.85 + 0.08 * torch.tanh(x @ w) - 0.02 * x[:, 0] ** 2 + 0.01 * torch.randn(n, generator=g)
    return x, soh.unsqueeze(1)


class SoHRegressor(nn.Module):
    def __init__(self, d_in=16, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-2)
    args = p.parse_args()

    torch.manual_seed(0)
    x, y = make_cycles()
    train = DataLoader(TensorDataset(x[:3584], y[:3584]), batch_size=args.batch_size, shuffle=True,
                       generator=torch.Generator().manual_seed(0))
    val_x, val_y = x[3584:], y[3584:]

    model = SoHRegressor(d_in=x.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")
    criterion = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                pred = model(xb)
                loss = criterion(pred.float(), yb)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            optimizer.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step:3d} mse {loss.item():.6f}")
            step += 1
        model.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            val_mse = criterion(model(val_x).float(), val_y).item()
        print(f"== epoch {epoch} val mse {val_mse:.6f} rmse {val_mse ** 0.5:.4f}")


if __name__ == "__main__":
    main()
