import argparse

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_customers(n, n_features=20, seed=7):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_features, generator=g)
    w = torch.randn(n_features, generator=g)
    logits = x @ w * 0.5 + 0.3 * torch.randn(n, generator=g)
    y = (logits > 0).long()
    return TensorDataset(x, y)


class ChurnModel(L.LightningModule):
    def __init__(self, n_features=20, hidden=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x):
        return self.body(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits.float(), y)
        acc = (logits.argmax(-1) == y).float().mean()
        self.log("train_loss", loss, prog_bar=True)
        self.log("train_acc", acc, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits.float(), y))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--precision", default="16-true")
    parser.add_argument("--max-steps", type=int, default=30)
    args = parser.parse_args()

    L.seed_everything(0)
    train = make_customers(2048)
    val = make_customers(256, seed=8)
    model = ChurnModel()
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=args.max_steps,
        precision=args.precision,
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=False,
        log_every_n_steps=5,
        val_check_interval=10,
    )
    trainer.fit(model, DataLoader(train, batch_size=64, shuffle=True), DataLoader(val, batch_size=256))
    print({k: float(v) for k, v in trainer.callback_metrics.items()})


if __name__ == "__main__":
    main()
