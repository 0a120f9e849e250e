import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

WINDOW = 48
HORIZON = 12


class MeterStream(IterableDataset):
    """Smart-meter load windows from a fleet of substations, streamed in order."""

    def __init__(self, n_windows=1024, seed=23):
        self.n = n_windows
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        t = torch.arange(WINDOW + HORIZON, dtype=torch.float32)
        for i in range(self.n):
            base = 800 + 400 * torch.rand(1, generator=g)
            amp = 50 + 100 * torch.rand(1, generator=g)
            series = base + amp * torch.sin(2 * torch.pi * t / 24 + 6 * torch.rand(1, generator=g))
            series = series + 5 * torch.randn(WINDOW + HORIZON, generator=g)
            if i % 97 == 60:
                # telemetry gateway holds the last value while the link is down
                series = torch.full_like(series, float(series[0]))
            yield series[:WINDOW], series[WINDOW:]


class InstanceNorm:
    def __init__(self, eps=1e-5):
        self.eps = eps

    def normalize(self, x):
        self.mean = x.mean(-1, keepdim=True)
        sq_mean = (x * x).mean(-1, keepdim=True)
        self.std = torch.sqrt(sq_mean - self.mean ** 2 + self.eps)
        return (x - self.mean) / self.std

    def denormalize(self, y):
        return y * self.std + self.mean


class LinearForecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(WINDOW, 128), nn.ReLU(), nn.Linear(128, HORIZON))
        self.norm = InstanceNorm()

    def forward(self, x):
        z = self.norm.normalize(x)
        return self.norm.denormalize(self.net(z))


def main():
    torch.manual_seed(0)
    loader = DataLoader(MeterStream(), batch_size=32)
    model = LinearForecaster()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.L1Loss()
    for epoch in range(2):
        for step, (x, y) in enumerate(loader):
            pred = model(x)
            loss = loss_fn(pred, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 8 == 0:
                print(f"epoch {epoch} batch {step} mae {loss.item():.3f}")


if __name__ == "__main__":
    main()
