import math

import numpy as np
import torch
from torch import nn
import lightning as L

LOOKBACK = 48
HORIZON = 12


def simulate_plant(n_sensors=12, length=400, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    series = []
    for s in range(n_sensors):
        period = rng.choice([24, 48, 96])
        amp = rng.uniform(0.5, 3.0)
        level = rng.uniform(10, 60)
        trend = rng.normal(0, 0.01)
        x = level + amp * np.sin(2 * math.pi * t / period + rng.uniform(0, 6.28)) + trend * t
        x += rng.normal(0, 0.2, length)
        series.append(x)
    series = np.stack(series).astype(np.float32)
    # sensor 5 reports a held value while it is being serviced
    series[5, 200:260] = series[5, 199]
    return series


class WindowDataset(torch.utils.data.Dataset):
    def __init__(self, series, stride=4):
        self.series = torch.from_numpy(series)
        self.index = []
        n_sensors, length = series.shape
        for s in range(n_sensors):
            for start in range(0, length - LOOKBACK - HORIZON + 1, stride):
                self.index.append((s, start))

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        s, start = self.index[i]
        w = self.series[s, start: start + LOOKBACK + HORIZON]
        return w[:LOOKBACK], w[LOOKBACK:]


class PlantData(L.LightningDataModule):
    def __init__(self, batch_size=32):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        self.train_set = WindowDataset(simulate_plant(seed=0))
        self.val_set = WindowDataset(simulate_plant(seed=1), stride=12)

    def train_dataloader(self):
        return torch.utils.data.DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return torch.utils.data.DataLoader(self.val_set, batch_size=128)


class InstanceScaler(nn.Module):
    def __init__(self):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(1))
        self.beta = nn.Parameter(torch.zeros(1))

    def normalize(self, x):
        self.mu = x.mean(dim=1, keepdim=True)
        self.sd = x.std(dim=1, keepdim=True)
        return (x - self.mu) / self.sd * self.gamma + self.beta

    def denormalize(self, y):
        return (y - self.beta) / self.gamma * self.sd + self.mu


class Forecaster(L.LightningModule):
    def __init__(self, hidden=128, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.scaler = InstanceScaler()
        self.net = nn.Sequential(
            nn.Linear(LOOKBACK, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, HORIZON),
        )

    def forward(self, x):
        z = self.scaler.normalize(x)
        return self.scaler.denormalize(self.net(z))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.l1_loss(self(x), y)
        self.log("train_mae", loss, prog_bar=True)
        if self.global_step % 20 == 0:
            print(f"step {self.global_step} mae {loss.item():.4f}")
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_mae", nn.functional.l1_loss(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=50, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


if __name__ == "__main__":
    L.seed_everything(3)
    trainer = L.Trainer(accelerator="cpu", max_epochs=2, gradient_clip_val=1.0,
                        enable_checkpointing=False, logger=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(Forecaster(), datamodule=PlantData())
