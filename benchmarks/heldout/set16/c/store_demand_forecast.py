import argparse
import math
import torch
from torch import nn
import lightning as L
from torch.utils.data import DataLoader, Dataset


class StoreSalesWindows(Dataset):
    def __init__(self, n_series=40, n_days=120, lookback=28, seed=0):
        g = torch.Generator().manual_seed(seed)
        level = 5 + 40 * torch.rand(n_series, 1, generator=g)
        days = torch.arange(n_days).float()
        weekly = 1 + 0.3 * torch.sin(2 * math.pi * days / 7)
        noise = 1 + 0.1 * torch.randn(n_series, n_days, generator=g)
        sales = (level * weekly * noise).clamp(min=0).round()
        closed = torch.rand(n_series, n_days, generator=g) < 0.004
        sales[closed] = 0.0
        self.sales = sales
        self.lookback = lookback
        self.index = [(s, t) for s in range(n_series) for t in range(lookback, n_days)]

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        s, t = self.index[i]
        hist = self.sales[s, t - self.lookback:t]
        scale = hist.mean() + 1.0
        return hist / scale, self.sales[s, t], scale


def mape_loss(pred, target):
    return (torch.abs(target - pred) / torch.abs(target)).mean()


class DemandForecaster(L.LightningModule):
    def __init__(self, lookback=28, hidden=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.mlp = nn.Sequential(nn.Linear(lookback, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 1))

    def forward(self, hist):
        return self.mlp(hist).squeeze(-1)

    def training_step(self, batch, batch_idx):
        hist, target, scale = batch
        pred = self(hist) * scale
        loss = mape_loss(pred, target)
        self.log("train_mape", loss, prog_bar=True)
        return loss

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    L.seed_everything(0)
    ds = StoreSalesWindows()
    dl = DataLoader(ds, batch_size=args.batch_size, shuffle=True)
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=args.epochs,
        enable_checkpointing=False,
        logger=False,
        enable_model_summary=False,
        enable_progress_bar=False,
        log_every_n_steps=1,
    )
    model = DemandForecaster()
    trainer.fit(model, dl)
    print("final train_mape", trainer.callback_metrics.get("train_mape"))


if __name__ == "__main__":
    main()
