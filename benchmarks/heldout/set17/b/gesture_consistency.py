import torch
import torch.nn.functional as F
from torch import nn


class GestureData:
    """Accelerometer windows (3 axes x 32 steps) for 5 gesture classes."""

    def __init__(self, n=640, seed=5):
        g = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, 5, (n,), generator=g)
        t = torch.linspace(0, 1, 32)
        freq = (self.labels.float() + 1).view(-1, 1, 1)
        base = torch.sin(2 * torch.pi * freq * t.view(1, 1, -1) + torch.rand(n, 3, 1, generator=g))
        self.x = base + 0.2 * torch.randn(n, 3, 32, generator=g)
        self.shift = torch.randint(0, 4, (n,), generator=g)

    def batches(self, batch_size):
        for i in range(0, len(self.labels), batch_size):
            yield self.x[i:i + batch_size], self.labels[i:i + batch_size], self.shift[i:i + batch_size]


def time_shift(x, shift):
    return torch.stack([torch.roll(xi, int(s), dims=-1) for xi, s in zip(x, shift)])


class Encoder(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(3, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.proj = nn.Linear(32, dim)
        self.cls = nn.Linear(dim, 5)

    def forward(self, x):
        z = self.proj(self.conv(x))
        return z, self.cls(z)


def angular_distance(a, b):
    a = F.normalize(a, dim=-1)
    b = F.normalize(b, dim=-1)
    cos = (a * b).sum(-1).clamp(-1.0, 1.0)
    return torch.acos(cos)


class Trainer:
    def __init__(self, model, lr=1e-3, consistency_weight=0.5):
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.w = consistency_weight
        self.step = 0

    def train_step(self, x, y, shift):
        z1, logits = self.model(x)
        z2, _ = self.model(time_shift(x, shift))
        ce = F.cross_entropy(logits, y)
        consistency = angular_distance(z1, z2).mean()
        loss = ce + self.w * consistency
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.step += 1
        return ce.item(), consistency.item()


def main():
    torch.manual_seed(0)
    data = GestureData()
    trainer = Trainer(Encoder())
    for epoch in range(3):
        for x, y, shift in data.batches(32):
            ce, cons = trainer.train_step(x, y, shift)
            if trainer.step % 5 == 0:
                print(f"epoch {epoch} step {trainer.step} ce {ce:.4f} angle {cons:.4f}")


if __name__ == "__main__":
    main()
