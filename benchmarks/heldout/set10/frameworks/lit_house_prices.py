import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L


def make_listings(n=2048, seed=7):
    rng = np.random.default_rng(seed)
    sqft = rng.uniform(450, 4800, n)
    lot = rng.uniform(1500, 43000, n)
    year = rng.integers(1905, 2022, n).astype(np.float64)
    beds = rng.integers(1, 6, n).astype(np.float64)
    baths = rng.integers(1, 4, n).astype(np.float64)
    dist_km = rng.uniform(0.5, 45.0, n)
    tax = rng.uniform(900, 16000, n)
    price = (0.9 + 0.00062 * sqft + 0.000004 * lot + 0.004 * (year - 1950)
             + 0.12 * baths + 0.05 * beds - 0.018 * dist_km + 0.00003 * tax
             + rng.normal(0, 0.15, n))
    feats = np.stack([sqft, lot, year, beds, baths, dist_km, tax], axis=1)
    return torch.tensor(feats, dtype=torch.float32), torch.tensor(price, dtype=torch.float32)[:, None]


class PriceRegressor(L.LightningModule):
    def __init__(self, n_features=7, hidden=64, lr=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        self.loss_fn = nn.MSELoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_mse", loss, prog_bar=True)
        return loss

    def on_train_batch_end(self, outputs, batch, batch_idx):
        if batch_idx % 8 == 0:
            print(f"batch {batch_idx:4d}  global_step {self.global_step:3d}  mse {outputs['loss'].item():.4g}")

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--accumulate", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()

    L.seed_everything(0, workers=True)
    x, y = make_listings()
    train = TensorDataset(x, y)
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, num_workers=0)

    model = PriceRegressor(n_features=x.shape[1], lr=args.lr)
    trainer = L.Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=args.epochs,
        accumulate_grad_batches=args.accumulate,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir="/tmp/lit_house_prices",
    )
    trainer.fit(model, loader)
    print("final train_mse", trainer.callback_metrics.get("train_mse"))


if __name__ == "__main__":
    main()
