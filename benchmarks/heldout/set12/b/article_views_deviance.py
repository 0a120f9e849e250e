import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def load_articles(n=1200, seed=21):
    rng = np.random.default_rng(seed)
    section = rng.integers(0, 6, n)
    words = rng.normal(0, 1, n)
    hour = rng.integers(0, 24, n)
    has_video = rng.integers(0, 2, n)
    author_followers = rng.normal(0, 1, n)
    x = np.concatenate([
        np.eye(6)[section], words[:, None], np.sin(2 * np.pi * hour / 24)[:, None],
        np.cos(2 * np.pi * hour / 24)[:, None], has_video[:, None], author_followers[:, None],
    ], axis=1).astype(np.float32)
    log_mu = 3.0 + 0.3 * section / 5 + 0.2 * words + 0.4 * has_video + 0.5 * author_followers
    views = rng.poisson(np.exp(log_mu)).astype(np.float32)
    views[[57, 430, 911]] = 0.0
    return torch.from_numpy(x), torch.from_numpy(views)


class ViewsModel(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1))
        nn.init.constant_(self.net[-1].bias, 3.0)

    def forward(self, x):
        return torch.exp(self.net(x).squeeze(-1))


def poisson_deviance(mu, y):
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return (2 * (term - (y - mu))).mean()


def evaluate(model, loader):
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += poisson_deviance(model(xb), yb).item() * len(yb)
            n += len(yb)
    model.train()
    return total / n


def main():
    torch.manual_seed(0)
    x, y = load_articles()
    train_ds = TensorDataset(x[:1000], y[:1000])
    val_ds = TensorDataset(x[1000:], y[1000:])
    train_loader = DataLoader(train_ds, batch_size=50, shuffle=True, generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(val_ds, batch_size=100)

    model = ViewsModel(x.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)

    best, stale_epochs, step = float("inf"), 0, 0
    for epoch in range(10):
        for xb, yb in train_loader:
            mu = model(xb)
            loss = poisson_deviance(mu, yb)
            if not torch.isfinite(loss):
                raise RuntimeError(f"loss is {loss.item()} at step {step}")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        val = evaluate(model, val_loader)
        scheduler.step(val)
        print(f"epoch {epoch} train deviance {loss.item():.3f} val deviance {val:.3f} lr {optimizer.param_groups[0]['lr']:.1e}")
        if val < best - 1e-3:
            best, stale_epochs = val, 0
        else:
            stale_epochs += 1
            if stale_epochs >= 3:
                print("early stopping")
                break


if __name__ == "__main__":
    main()
