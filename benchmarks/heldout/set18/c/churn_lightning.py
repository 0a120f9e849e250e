import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

FEATURES = [
    "tenure_months", "monthly_charges", "total_charges", "support_calls",
    "contract_years", "num_devices", "plan_version", "late_payments",
]


def generate_customers(n, rng):
    tenure = rng.integers(1, 72, size=n).astype(np.float32)
    monthly = rng.normal(65.0, 20.0, size=n).astype(np.float32)
    total = tenure * monthly + rng.normal(0, 50, size=n).astype(np.float32)
    calls = rng.poisson(2.0, size=n).astype(np.float32)
    contract = rng.choice([1.0, 2.0, 3.0], size=n).astype(np.float32)
    devices = rng.integers(1, 6, size=n).astype(np.float32)
    plan = np.full(n, 4.0, dtype=np.float32)
    late = rng.poisson(0.7, size=n).astype(np.float32)
    x = np.stack([tenure, monthly, total, calls, contract, devices, plan, late], axis=1)
    logit = -0.04 * tenure + 0.5 * calls + 0.8 * late - 0.6 * contract + 0.01 * monthly
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return x, y


class ChurnData(L.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        rng = np.random.default_rng(2024)
        x_train, y_train = generate_customers(2048, rng)
        x_val, y_val = generate_customers(512, rng)
        self.mean = x_train.mean(axis=0)
        self.std = x_train.std(axis=0)
        x_train = (x_train - self.mean) / self.std
        x_val = (x_val - self.mean) / self.std
        self.train_set = TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
        self.val_set = TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val))

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=256)


class ChurnModel(L.LightningModule):
    def __init__(self, n_features=len(FEATURES), hidden=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        self.criterion = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        if batch_idx % 10 == 0:
            print(f"step {self.global_step} loss {loss.item():.4f}")
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        acc = ((logits > 0).float() == y).float().mean()
        self.log("val_loss", self.criterion(logits, y), prog_bar=True)
        self.log("val_acc", acc, prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


if __name__ == "__main__":
    L.seed_everything(11)
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=60,
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=False,
        val_check_interval=30,
    )
    trainer.fit(ChurnModel(), datamodule=ChurnData())
