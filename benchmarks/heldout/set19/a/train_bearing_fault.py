import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

WINDOW = 512
N_CLASSES = 4


class BearingWindows(Dataset):
    """Raw 12-bit accelerometer windows (ADC counts, mid-scale 2047)."""

    def __init__(self, n=480, seed=3):
        g = torch.Generator().manual_seed(seed)
        t = torch.arange(WINDOW, dtype=torch.float32) / 12000.0
        self.x = torch.empty(n, 1, WINDOW)
        self.y = torch.randint(0, N_CLASSES, (n,), generator=g)
        fault_hz = torch.tensor([0.0, 105.0, 162.0, 141.0])
        for i in range(n):
            c = int(self.y[i])
            amp = 40.0 + 20.0 * torch.rand(1, generator=g)
            sig = amp * torch.sin(2 * math.pi * 29.5 * t)
            if c > 0:
                sig = sig + 25.0 * torch.sin(2 * math.pi * fault_hz[c] * t) * (torch.sin(2 * math.pi * 7 * t) > 0)
            sig = sig + 6.0 * torch.randn(WINDOW, generator=g)
            self.x[i, 0] = torch.round(2047.0 + sig).clamp(0, 4095)
        for i in (57, 58, 59, 301):
            self.x[i, 0] = 2047.0

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class WindowStandardize(nn.Module):
    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        mean_sq = (x * x).mean(dim=-1, keepdim=True)
        std = torch.sqrt(mean_sq - mean * mean + self.eps)
        return (x - mean) / std


class FaultNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = WindowStandardize()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 9, stride=2, padding=4), nn.ReLU(),
            nn.Conv1d(16, 32, 9, stride=2, padding=4), nn.ReLU(),
            nn.Conv1d(32, 32, 9, stride=2, padding=4), nn.ReLU(),
            nn.AdaptiveAvgPool1d(8),
        )
        self.head = nn.Linear(32 * 8, N_CLASSES)

    def forward(self, x):
        h = self.features(self.norm(x))
        return self.head(h.flatten(1))


def main():
    torch.manual_seed(0)
    ds = BearingWindows()
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(1))
    model = FaultNet()
    accum_steps = 4
    epochs = 2
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    total_steps = epochs * math.ceil(len(loader) / accum_steps)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=total_steps)

    step = 0
    for epoch in range(epochs):
        model.train()
        running = 0.0
        opt.zero_grad()
        for i, (xb, yb) in enumerate(loader):
            loss = F.cross_entropy(model(xb), yb) / accum_steps
            loss.backward()
            running += loss.item()
            if (i + 1) % accum_steps == 0 or (i + 1) == len(loader):
                torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                opt.step()
                sched.step()
                opt.zero_grad()
                if step % 5 == 0:
                    print(f"epoch {epoch} step {step:3d} loss {running:.4f} lr {sched.get_last_lr()[0]:.2e}")
                running = 0.0
                step += 1


if __name__ == "__main__":
    main()
