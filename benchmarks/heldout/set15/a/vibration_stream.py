import math
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

WINDOW = 128
CHANNELS = 3


class VibrationStream(IterableDataset):
    """Streams labelled accelerometer windows from a simulated pump test rig."""

    def __init__(self, num_windows, seed=0):
        self.num_windows = num_windows
        self.seed = seed

    def _read_rig(self, g):
        t = torch.arange(WINDOW, dtype=torch.float32) / 1000.0
        for k in range(self.num_windows):
            faulty = torch.rand(1, generator=g).item() < 0.5
            base_hz = 50.0 + 5.0 * torch.rand(1, generator=g).item()
            sig = []
            for c in range(CHANNELS):
                amp = 1.0 + 0.2 * c
                x = amp * torch.sin(2 * math.pi * base_hz * t + c)
                if faulty:
                    x = x + 0.6 * torch.sin(2 * math.pi * 3.1 * base_hz * t)
                x = x + 0.05 * torch.randn(WINDOW, generator=g)
                sig.append(x)
            window = torch.stack(sig)
            if 1000 <= k < 1040:
                window[2] = window[2, 0]
            yield window, torch.tensor(int(faulty))

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        for window, label in self._read_rig(g):
            mean = window.mean(dim=1, keepdim=True)
            std = window.std(dim=1, keepdim=True)
            yield (window - mean) / std, label


class FaultNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(CHANNELS, 16, kernel_size=7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, kernel_size=5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
        )
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def main():
    torch.manual_seed(0)
    loader = DataLoader(VibrationStream(num_windows=1600, seed=42), batch_size=32)
    model = FaultNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    criterion = nn.CrossEntropyLoss()

    for step, (x, y) in enumerate(loader):
        logits = model(x)
        loss = criterion(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 5 == 0:
            acc = (logits.argmax(1) == y).float().mean().item()
            print(f"step {step:3d}  loss {loss.item():.4f}  acc {acc:.3f}")


if __name__ == "__main__":
    main()
