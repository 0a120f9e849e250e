import torch
import torch.nn as nn
import lightning as L
from torch.utils.data import DataLoader, Dataset


class SensorWindows(Dataset):
    def __init__(self, n_windows=161, window=32, channels=6, seed=11):
        g = torch.Generator().manual_seed(seed)
        t = torch.linspace(0, 6.28, window)
        base = torch.sin(t[None, None, :] * torch.randint(1, 4, (n_windows, channels, 1), generator=g))
        self.x = base + 0.1 * torch.randn(n_windows, channels, window, generator=g)
        self.y = (self.x.abs().amax(dim=(1, 2)) > 1.25).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class BatchStandardize(nn.Module):
    def forward(self, x):
        mu = x.mean(dim=0, keepdim=True)
        sigma = x.std(dim=0, keepdim=True)
        return (x - mu) / (sigma + 1e-5)


class AnomalyNet(L.LightningModule):
    def __init__(self, channels=6, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Conv1d(channels, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 16, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.norm = BatchStandardize()
        self.head = nn.Linear(16, 2)

    def forward(self, x):
        return self.head(self.norm(self.encoder(x)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_step=True, prog_bar=True)
        print(f"epoch {self.current_epoch} batch {batch_idx} loss {loss.item():.4f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(0)
    loader = DataLoader(SensorWindows(), batch_size=32, shuffle=False)
    trainer = L.Trainer(max_epochs=3, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(AnomalyNet(), loader)
