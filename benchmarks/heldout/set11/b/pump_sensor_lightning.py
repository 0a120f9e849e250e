import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset


SENSORS = ["flow", "pressure_in", "pressure_out", "temp_motor", "temp_bearing", "vibration_x",
           "vibration_y", "current", "aux_valve", "rpm"]


def load_readings(n=2048, seed=7):
    g = torch.Generator().manual_seed(seed)
    rpm = 1400 + 200 * torch.rand(n, generator=g)
    flow = 0.02 * rpm + torch.randn(n, generator=g)
    p_in = 2.0 + 0.1 * torch.randn(n, generator=g)
    p_out = p_in + 0.004 * rpm + 0.2 * torch.randn(n, generator=g)
    t_motor = 40 + 0.01 * rpm + torch.randn(n, generator=g)
    t_bear = 35 + 0.008 * rpm + torch.randn(n, generator=g)
    vib_x = 0.3 * torch.randn(n, generator=g)
    vib_y = 0.3 * torch.randn(n, generator=g)
    current = 0.01 * rpm + 0.5 * torch.randn(n, generator=g)
    aux = torch.zeros(n)
    x = torch.stack([flow, p_in, p_out, t_motor, t_bear, vib_x, vib_y, current, aux, rpm], 1)
    y = (0.5 * vib_x.abs() + 0.05 * (t_bear - 35) + 0.1 * torch.randn(n, generator=g)).unsqueeze(1)
    return x, y


class PumpDataModule(L.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        x, y = load_readings()
        lo = x.min(dim=0).values
        hi = x.max(dim=0).values
        x = (x - lo) / (hi - lo)
        n_train = int(0.8 * len(x))
        self.train_set = TensorDataset(x[:n_train], y[:n_train])
        self.val_set = TensorDataset(x[n_train:], y[n_train:])

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=256)


class WearRegressor(L.LightningModule):
    def __init__(self, n_features=len(SENSORS), lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_features, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self.net(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", F.mse_loss(self.net(x), y), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(0)
    trainer = L.Trainer(max_epochs=2, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, log_every_n_steps=5)
    trainer.fit(WearRegressor(), datamodule=PumpDataModule())
