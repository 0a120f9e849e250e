"""Subscription churn model.

Features are already standardised by the feature store export. Churners are
~25% of accounts, so the positive class gets a higher weight in the loss.
Small per-step batches with gradient accumulation to mimic the production
config (which runs on a memory-limited box).
"""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

import lightning as L

FEATURES = [
    "tenure_months", "days_since_login", "monthly_spend", "support_tickets",
    "plan_tier", "seats", "feature_adoption", "nps_score",
]


def load_accounts(n=4096, seed=3):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, len(FEATURES), generator=g)
    score = 2.5 * x[:, 1] - 1.2 * x[:, 0] + 0.8 * x[:, 3] - 0.6 * x[:, 6]
    y = (score > 1.3).float()
    return x, y


class ChurnModel(L.LightningModule):
    def __init__(self, n_features, pos_weight, lr=1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, 64),
            nn.ReLU(),
            nn.Linear(64, 64),
            nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def weighted_bce(self, probs, target):
        w = self.hparams.pos_weight
        return -(w * target * torch.log(probs) + (1 - target) * torch.log(1 - probs)).mean()

    def training_step(self, batch, batch_idx):
        x, y = batch
        probs = torch.sigmoid(self(x))
        loss = self.weighted_bce(probs, y)
        acc = ((probs > 0.5).float() == y).float().mean()
        self.log("train_loss", loss)
        self.log("train_acc", acc)
        if batch_idx % 32 == 0:
            print(f"epoch {self.current_epoch:2d} batch {batch_idx:3d} opt_step {self.global_step:4d} "
                  f"loss {loss.item():.5f} acc {acc.item():.3f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--accumulate", type=int, default=4)
    args = parser.parse_args()

    L.seed_everything(2024, workers=True)
    x, y = load_accounts()
    pos_rate = y.mean().item()
    print(f"accounts={len(y)} churn_rate={pos_rate:.3f}")
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    model = ChurnModel(len(FEATURES), pos_weight=(1 - pos_rate) / pos_rate)

    trainer = L.Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=args.epochs,
        accumulate_grad_batches=args.accumulate,
        enable_progress_bar=False,
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
    )
    trainer.fit(model, loader)
    print("final:", {k: float(v) for k, v in trainer.callback_metrics.items()})


if __name__ == "__main__":
    main()
