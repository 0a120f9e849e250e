import numpy as np
import torch
import torch.nn as nn
import lightning as L
from torch.utils.data import DataLoader, TensorDataset


def load_listings(n=2000, seed=7):
    rng = np.random.default_rng(seed)
    living_area = rng.uniform(600, 4500, n)
    lot_size = rng.uniform(2000, 20000, n)
    bedrooms = rng.integers(1, 6, n)
    year_built = rng.integers(1920, 2022, n)
    dist_center = rng.uniform(0.5, 40, n)
    price_k = 0.12 * living_area + 0.004 * lot_size + 15 * bedrooms + 0.8 * (year_built - 1900) - 3 * dist_center
    price_k = price_k + rng.normal(0, 20, n)
    X = np.stack([living_area, lot_size, bedrooms, year_built, dist_center], axis=1).astype(np.float32)
    return torch.from_numpy(X), torch.from_numpy(price_k.astype(np.float32))


class PriceRegressor(L.LightningModule):
    def __init__(self, n_features=5, lr=1e-4):
        super().__init__()
        self.save_hyperparameters()
        self.model = nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                                   nn.Linear(32, 1))
        self.loss_fn = nn.MSELoss()

    def training_step(self, batch, batch_idx):
        x, y = batch
        pred = self.model(x).squeeze(-1)
        loss = self.loss_fn(pred, y)
        self.log("train_mse", loss, prog_bar=True)
        if batch_idx % 5 == 0:
            print(f"step {self.global_step} mse {loss.item():.4g}")
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_mse", self.loss_fn(self.model(x).squeeze(-1), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)


def main():
    L.seed_everything(0)
    X, y = load_listings()
    train = TensorDataset(X[:1800], y[:1800])
    val = TensorDataset(X[1800:], y[1800:])
    model = PriceRegressor()
    trainer = L.Trainer(max_steps=60, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, val_check_interval=20)
    trainer.fit(model, DataLoader(train, batch_size=64, shuffle=True), DataLoader(val, batch_size=200))


if __name__ == "__main__":
    main()
