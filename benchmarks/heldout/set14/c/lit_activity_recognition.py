import argparse

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset

ACTIVITIES = ["walking", "upstairs", "downstairs", "sitting", "standing", "lying"]
WINDOW = 64


def simulate_recordings(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(ACTIVITIES), n)
    t = np.arange(WINDOW) / 32.0
    windows = np.empty((n, 3, WINDOW), dtype=np.float32)
    for i, a in enumerate(labels):
        freq = 0.5 + 0.4 * a
        phase = rng.uniform(0, 2 * np.pi, 3)[:, None]
        amp = 0.2 + 0.15 * (5 - a)
        windows[i] = amp * np.sin(2 * np.pi * freq * t + phase) + rng.normal(0, 0.05, (3, WINDOW))
    for i in rng.choice(n, 4, replace=False):
        windows[i] = windows[i][:, :1]
    return windows, labels


class AccelWindows(Dataset):
    def __init__(self, windows, labels):
        self.x = torch.from_numpy(windows)
        self.y = torch.from_numpy(labels).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class WindowNorm(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(channels, 1))
        self.bias = nn.Parameter(torch.zeros(channels, 1))

    def forward(self, x):
        mu = x.mean(dim=-1, keepdim=True)
        sigma = x.std(dim=-1, keepdim=True)
        return self.gain * (x - mu) / sigma + self.bias


class ActivityNet(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.norm = WindowNorm(3)
        self.features = nn.Sequential(
            nn.Conv1d(3, 16, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
        )
        self.classifier = nn.Linear(32, len(ACTIVITIES))

    def forward(self, x):
        return self.classifier(self.features(self.norm(x)).squeeze(-1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        acc = (self(x).argmax(-1) == y).float().mean()
        if self.global_step % 10 == 0:
            print(f"step {self.global_step:3d} loss {loss.item():.4f} acc {acc.item():.3f}")
        return loss

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=40, gamma=0.5)
        return [opt], [sched]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    L.seed_everything(5, verbose=False)
    windows, labels = simulate_recordings(1200, seed=5)
    loader = DataLoader(AccelWindows(windows, labels), batch_size=args.batch_size, shuffle=True)
    trainer = L.Trainer(accelerator="cpu", max_epochs=args.epochs, max_steps=60,
                        enable_checkpointing=False, logger=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(ActivityNet(), loader)


if __name__ == "__main__":
    main()
