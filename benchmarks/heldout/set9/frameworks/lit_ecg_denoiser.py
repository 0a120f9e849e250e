import math
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
import lightning as L
from lightning.pytorch.plugins import MixedPrecision


class NoisyBeats(Dataset):
    def __init__(self, n=2048, length=128, noise=0.25, seed=0):
        g = torch.Generator().manual_seed(seed)
        t = torch.linspace(0, 1, length)
        rate = torch.rand(n, 1, generator=g) * 3 + 2
        phase = torch.rand(n, 1, generator=g)
        wave = torch.sin(2 * math.pi * (rate * t + phase))
        spikes = torch.exp(-((torch.remainder(rate * t + phase, 1.0) - 0.5) ** 2) / 0.002)
        self.clean = 0.3 * wave + spikes
        self.noisy = self.clean + noise * torch.randn(self.clean.shape, generator=g)

    def __len__(self):
        return len(self.clean)

    def __getitem__(self, i):
        return self.noisy[i], self.clean[i]


class BeatDenoiser(L.LightningModule):
    def __init__(self, length=128, hidden=256, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(length, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, length),
        )

    def forward(self, x):
        return x + self.net(x)

    def training_step(self, batch, batch_idx):
        noisy, clean = batch
        recon = self(noisy)
        loss = F.mse_loss(recon, clean, reduction="sum")
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(0)
    loader = DataLoader(NoisyBeats(), batch_size=64, shuffle=True)
    model = BeatDenoiser()
    trainer = L.Trainer(accelerator="cpu", devices=1, max_steps=50,
                        plugins=[MixedPrecision("16-mixed", device="cpu")],
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, loader)
    print("final loss", trainer.callback_metrics.get("train_loss"))


if __name__ == "__main__":
    main()
