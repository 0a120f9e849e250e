import torch
from torch import nn

torch.manual_seed(11)

hours = 24 * 120
t = torch.arange(hours, dtype=torch.float32)
load = 1013.7 + 35.0 * torch.sin(2 * torch.pi * t / 24) + 12.0 * torch.sin(2 * torch.pi * t / (24 * 7))
load = load + 2.0 * torch.randn(hours)
load[1500:1572] = load[1499]

LOOKBACK, HORIZON = 48, 12
starts = torch.arange(0, hours - LOOKBACK - HORIZON)
inputs = torch.stack([load[s : s + LOOKBACK] for s in starts])
targets = torch.stack([load[s + LOOKBACK : s + LOOKBACK + HORIZON] for s in starts])


class InstanceNorm1dSeries(nn.Module):
    """Reversible per-window normalisation (RevIN style)."""

    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.gain = nn.Parameter(torch.ones(1))
        self.shift = nn.Parameter(torch.zeros(1))

    def normalize(self, x):
        self.mean = x.mean(dim=1, keepdim=True)
        var = (x * x).mean(dim=1, keepdim=True) - self.mean ** 2
        self.std = torch.sqrt(var + self.eps)
        return (x - self.mean) / self.std * self.gain + self.shift

    def denormalize(self, y):
        return (y - self.shift) / self.gain * self.std + self.mean


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = InstanceNorm1dSeries()
        self.net = nn.Sequential(nn.Linear(LOOKBACK, 128), nn.GELU(), nn.Linear(128, HORIZON))

    def forward(self, x):
        z = self.norm.normalize(x)
        return self.norm.denormalize(self.net(z))


model = Forecaster()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200)
batch_size = 64
n_train = len(starts)

step = 0
for epoch in range(4):
    perm = torch.randperm(n_train)
    for i in range(0, n_train - batch_size + 1, batch_size):
        idx = perm[i : i + batch_size]
        pred = model(inputs[idx])
        loss = nn.functional.l1_loss(pred, targets[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 25 == 0:
            print(f"epoch {epoch} step {step} mae {loss.item():.3f} kW")
        step += 1
