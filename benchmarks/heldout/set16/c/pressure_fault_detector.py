import torch
from torch import nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset


class WindowStandardize(nn.Module):
    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        mean_sq = (x * x).mean(dim=-1, keepdim=True)
        std = torch.sqrt(mean_sq - mean * mean)
        return (x - mean) / (std + 1e-5)


class FaultDetector(L.LightningModule):
    def __init__(self, window=64, channels=3, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.norm = WindowStandardize()
        self.net = nn.Sequential(
            nn.Conv1d(channels, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 16, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(16, 1),
        )

    def forward(self, x):
        return self.net(self.norm(x)).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, y), prog_bar=True)
        self.log("val_acc", ((logits > 0).float() == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def make_readings(n, window=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    base = torch.tensor([1013.25, 871.5, 2404.0]).view(1, 3, 1)
    t = torch.linspace(0, 6.28, window)
    drift = 0.8 * torch.sin(t * torch.rand(n, 3, 1, generator=g) * 3)
    noise = 0.05 * torch.randn(n, 3, window, generator=g)
    y = (torch.rand(n, generator=g) < 0.3).float()
    spikes = torch.zeros(n, 3, window)
    spikes[y.bool(), :, window // 2] = 2.5
    x = base + drift + noise + spikes
    held = torch.rand(n, generator=g) < 0.04
    x[held] = x[held, :, :1].expand(-1, -1, window)
    return TensorDataset(x, y)


def main():
    L.seed_everything(0)
    train_dl = DataLoader(make_readings(1024, seed=0), batch_size=32, shuffle=True)
    val_dl = DataLoader(make_readings(256, seed=1), batch_size=64)
    model = FaultDetector()
    trainer = L.Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=2,
        enable_checkpointing=False,
        logger=False,
        enable_model_summary=False,
        log_every_n_steps=5,
        num_sanity_val_steps=0,
    )
    trainer.fit(model, train_dl, val_dl)


if __name__ == "__main__":
    main()
