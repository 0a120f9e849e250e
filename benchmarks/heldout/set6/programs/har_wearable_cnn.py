import argparse
import io
import math
import sys

import numpy as np

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

ACTIVITIES = ["walking", "running", "sitting", "standing", "stairs_up", "stairs_down"]


def export_logger_csv(n_windows=3000, length=64, seed=0):
    """Simulates the accelerometer logger export: one line per window and axis (m/s^2, 50 Hz)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, len(ACTIVITIES), (n_windows,), generator=g)
    t = torch.arange(length).float() / 50.0
    freq = torch.tensor([1.8, 2.8, 0.0, 0.0, 1.4, 1.6])[labels]
    amp = torch.tensor([3.0, 7.0, 0.2, 0.3, 2.5, 3.5])[labels]
    phase = torch.rand(n_windows, 1, generator=g) * 6.28
    base = amp[:, None] * torch.sin(2 * math.pi * freq[:, None] * t[None] + phase)
    acc = torch.stack([base, 0.5 * base, 9.81 + 0.3 * base], dim=1)
    acc = acc + 0.4 * torch.randn(acc.shape, generator=g)
    gaps = {1422: 17, 2051: 40}
    lines = []
    for w in range(n_windows):
        for axis in range(3):
            vals = [f"{v:.4f}" for v in acc[w, axis].tolist()]
            if w in gaps:
                vals[gaps[w]:gaps[w] + 5] = [""] * 5
            lines.append(f"{w},{axis},{labels[w].item()}," + ",".join(vals))
    return "\n".join(lines)


def read_recordings(csv_text, length=64):
    table = np.genfromtxt(io.StringIO(csv_text), delimiter=",")
    table = table.reshape(-1, 3, 3 + length)
    labels = torch.from_numpy(table[:, 0, 2]).long()
    acc = torch.from_numpy(table[:, :, 3:]).float()
    return acc, labels


class WindowDataset(Dataset):
    def __init__(self, acc, labels):
        self.acc = acc / 9.81
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.acc[i], self.labels[i]


class HARNet(nn.Module):
    def __init__(self, n_classes=len(ACTIVITIES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
        )
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    acc, labels = read_recordings(export_logger_csv())
    ds = WindowDataset(acc, labels)
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, generator=torch.Generator().manual_seed(42))
    model = HARNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()

    step = 0
    for epoch in range(args.epochs):
        correct = seen = 0
        for x, y in loader:
            logits = model(x)
            loss = criterion(logits, y)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                print(f"Loss is {loss_value}, stopping training")
                sys.exit(1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            if step % 10 == 0:
                print(f"epoch {epoch} step {step:4d} loss {loss_value:.4f} acc {correct / seen:.3f}")
            step += 1
        print(f"== epoch {epoch} train acc {correct / seen:.3f}")


if __name__ == "__main__":
    main()
