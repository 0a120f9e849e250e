import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class BarometerWindows(Dataset):
    def __init__(self, n=2400, length=48, seed=5):
        g = torch.Generator().manual_seed(seed)
        base = 101325.0 + 800.0 * torch.randn(n, 1, generator=g)
        trend = torch.randn(n, 1, generator=g)
        swing = torch.exp(torch.randn(n, 1, generator=g) * 0.7 + 6.4)
        t = torch.linspace(0, 1, length)
        self.pressure = (base + swing * (trend * t + 0.3 * torch.randn(n, length, generator=g))).float()
        self.rain = (trend.squeeze(1) < -0.3).long()

    def __len__(self):
        return len(self.rain)

    def __getitem__(self, i):
        return self.pressure[i], self.rain[i]


class WindowStandardize(nn.Module):
    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = (x * x).mean(dim=-1, keepdim=True) - mean * mean
        return (x - mean) / torch.sqrt(var + self.eps)


class RainNet(L.LightningModule):
    def __init__(self, length=48, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.norm = WindowStandardize()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 16, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(8),
        )
        self.head = nn.Linear(16 * 8, 2)

    def forward(self, pressure):
        z = self.norm(pressure).unsqueeze(1)
        return self.head(self.conv(z).flatten(1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(1)
    ds = BarometerWindows()
    loader = DataLoader(ds, batch_size=32, shuffle=True)
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=120,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        log_every_n_steps=10,
    )
    trainer.fit(RainNet(), loader)
    print("final train_loss", float(trainer.callback_metrics["train_loss"]))
