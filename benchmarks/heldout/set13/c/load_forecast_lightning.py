import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

LOOKBACK, HORIZON = 48, 12


class SmartMeterData(L.LightningDataModule):
    def __init__(self, n_windows=1200, batch_size=32):
        super().__init__()
        self.n_windows = n_windows
        self.batch_size = batch_size

    def setup(self, stage=None):
        g = torch.Generator().manual_seed(21)
        t = torch.arange(LOOKBACK + HORIZON).float()
        base = 2.0 + 3.0 * torch.rand(self.n_windows, 1, generator=g)
        daily = torch.sin(2 * 3.1416 * (t + 24 * torch.rand(self.n_windows, 1, generator=g)) / 24)
        series = base + base * 0.4 * daily + 0.1 * torch.randn(self.n_windows, LOOKBACK + HORIZON, generator=g)
        vacant = [713, 714]
        series[vacant] = 0.35
        x, y = series[:, :LOOKBACK], series[:, LOOKBACK:]
        self.train_set = TensorDataset(x[:1000], y[:1000])
        self.val_set = TensorDataset(x[1000:], y[1000:])

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=False)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=100)


class InstanceNorm(nn.Module):
    def forward(self, x):
        self.mean = x.mean(dim=1, keepdim=True)
        self.std = x.std(dim=1, keepdim=True)
        return (x - self.mean) / self.std

    def denorm(self, y):
        return y * self.std + self.mean


class LoadForecaster(L.LightningModule):
    def __init__(self, hidden=128, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.norm = InstanceNorm()
        self.mlp = nn.Sequential(nn.Linear(LOOKBACK, hidden), nn.GELU(), nn.Linear(hidden, HORIZON))

    def forward(self, x):
        z = self.norm(x)
        return self.norm.denorm(self.mlp(z))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_mse", loss)
        if batch_idx % 4 == 0:
            print(f"epoch {self.current_epoch} batch {batch_idx} mse {loss.item():.4f}")
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_mae", (self(x) - y).abs().mean())

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(0)
    trainer = L.Trainer(accelerator="cpu", max_epochs=2, precision="bf16-mixed",
                        accumulate_grad_batches=2, enable_progress_bar=False, logger=False,
                        enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(LoadForecaster(), datamodule=SmartMeterData())
