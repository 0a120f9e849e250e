import math

import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

SAMPLE_RATE = 8000
CLIP_LEN = 2000
KEYWORDS = ["yes", "no", "up", "down", "silence"]


class SyntheticCommands(Dataset):
    """Toy speech-commands: each keyword is a chirp in its own band; 'silence' clips are room tone."""

    def __init__(self, n_clips, seed=0):
        g = torch.Generator().manual_seed(seed)
        t = torch.arange(CLIP_LEN) / SAMPLE_RATE
        self.labels = torch.randint(0, len(KEYWORDS), (n_clips,), generator=g)
        waves = []
        for i in range(n_clips):
            k = int(self.labels[i])
            gain = 0.1 + 0.9 * torch.rand(1, generator=g)
            if KEYWORDS[k] == "silence":
                level = 0.0 if i % 97 == 41 else 0.01
                w = level * torch.randn(CLIP_LEN, generator=g)
            else:
                f0 = 300 + 400 * k + 50 * torch.rand(1, generator=g)
                w = gain * torch.sin(2 * math.pi * f0 * t * (1 + 0.5 * t))
                w = w + 0.02 * torch.randn(CLIP_LEN, generator=g)
            waves.append(w)
        self.waves = torch.stack(waves)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.waves[i].unsqueeze(0), self.labels[i]


class UtteranceNorm(nn.Module):
    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        std = x.std(dim=-1, keepdim=True)
        return (x - mean) / std


class KWSNet(L.LightningModule):
    def __init__(self, n_classes=len(KEYWORDS), lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.norm = UtteranceNorm()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, kernel_size=80, stride=16), nn.BatchNorm1d(16), nn.ReLU(),
            nn.Conv1d(16, 32, kernel_size=3, stride=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.head = nn.Linear(32, n_classes)

    def forward(self, wave):
        x = self.norm(wave)
        return self.head(self.features(x).squeeze(-1))

    def training_step(self, batch, batch_idx):
        wave, label = batch
        loss = F.cross_entropy(self(wave), label)
        self.log("loss", loss, prog_bar=True)
        return loss

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.hparams.lr, total_steps=40)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


if __name__ == "__main__":
    L.seed_everything(0)
    data = SyntheticCommands(1200)
    loader = DataLoader(data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=40,
        enable_checkpointing=False,
        logger=False,
        log_every_n_steps=5,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(KWSNet(), loader)
    print("final loss", float(trainer.callback_metrics["loss"]))
