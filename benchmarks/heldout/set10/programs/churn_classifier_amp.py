import math
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_customers(n=4096, n_features=24, seed=7):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_features, generator=g)
    w = torch.randn(n_features, generator=g) * 0.6
    score = x @ w + 0.5
    y = torch.bernoulli(torch.sigmoid(score), generator=g)
    return x, y


class ChurnNet(nn.Module):
    def __init__(self, n_features, hidden=128):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.GELU(),
            nn.Linear(hidden, hidden),
            nn.GELU(),
        )
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def churn_loss(logits, target):
    p = torch.sigmoid(logits)
    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()


def main():
    torch.manual_seed(0)
    x, y = make_customers()
    n_train = 3584
    train_ds = TensorDataset(x[:n_train], y[:n_train])
    val_x, val_y = x[n_train:], y[n_train:]
    loader = DataLoader(train_ds, batch_size=64, shuffle=True)

    model = ChurnNet(x.shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    t0 = time.time()
    for epoch in range(3):
        model.train()
        running = 0.0
        for xb, yb in loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(xb)
                loss = churn_loss(logits, yb)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            running += loss.item()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step:4d} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
            step += 1

        model.eval()
        with torch.no_grad():
            val_logits = model(val_x)
            acc = ((val_logits > 0).float() == val_y).float().mean().item()
        print(f"epoch {epoch} mean loss {running / len(loader):.4f} val acc {acc:.3f} ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
