import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L


FEATURES = ["outdoor_temp", "humidity", "wind_speed", "solar_irradiance",
            "occupancy", "floor_area", "hvac_setpoint", "building_floors"]


def make_meter_readings(n_rows, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.empty(n_rows, len(FEATURES))
    x[:, 0] = 12 + 8 * torch.randn(n_rows, generator=g)
    x[:, 1] = 40 + 15 * torch.rand(n_rows, generator=g)
    x[:, 2] = 15 * torch.rand(n_rows, generator=g).pow(2)
    x[:, 3] = 600 * torch.rand(n_rows, generator=g)
    x[:, 4] = torch.randint(0, 120, (n_rows,), generator=g).float()
    x[:, 5] = 800 + 300 * torch.rand(n_rows, generator=g)
    x[:, 6] = 20 + 2 * torch.randn(n_rows, generator=g)
    x[:, 7] = 3.0
    y = (0.8 * x[:, 0] - 0.05 * x[:, 1] + 0.01 * x[:, 3] + 0.2 * x[:, 4]
         + 0.02 * x[:, 5] + 0.5 * torch.randn(n_rows, generator=g))
    return x, y.unsqueeze(1)


class EnergyDataModule(L.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        x, y = make_meter_readings(1200, seed=7)
        x_train, y_train = x[:1000], y[:1000]
        x_val, y_val = x[1000:], y[1000:]
        self.mean = x_train.mean(dim=0)
        self.std = x_train.std(dim=0)
        x_train = (x_train - self.mean) / self.std
        x_val = (x_val - self.mean) / self.std
        self.y_mean, self.y_std = y_train.mean(), y_train.std()
        self.train_set = TensorDataset(x_train, (y_train - self.y_mean) / self.y_std)
        self.val_set = TensorDataset(x_val, (y_val - self.y_mean) / self.y_std)

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(0))

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)


class LoadForecaster(L.LightningModule):
    def __init__(self, n_features, hidden=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )
        self.loss_fn = nn.HuberLoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        if batch_idx % 5 == 0:
            print(f"epoch {self.current_epoch} step {self.global_step} train_loss {loss.item():.4f}")
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("val_loss", loss, prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    L.seed_everything(42, verbose=False)
    dm = EnergyDataModule(batch_size=64)
    model = LoadForecaster(n_features=len(FEATURES))
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=2,
        gradient_clip_val=1.0,
        enable_progress_bar=False,
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
    )
    trainer.fit(model, datamodule=dm)
    print("final val_loss", trainer.callback_metrics.get("val_loss"))


if __name__ == "__main__":
    main()
