import math

import torch
from torch import nn
import lightning as L
from lightning.pytorch.plugins import MixedPrecision
from torch.utils.data import DataLoader, TensorDataset

N_BINS = 128


def synth_spectra(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    wl = torch.linspace(0, 1, N_BINS)
    centers = torch.rand(n, 3, 1, generator=g)
    widths = 0.02 + 0.05 * torch.rand(n, 3, 1, generator=g)
    heights = 4 + 8 * torch.rand(n, 3, 1, generator=g)
    peaks = heights * torch.exp(-0.5 * ((wl - centers) / widths) ** 2)
    baseline = 2 + torch.rand(n, 1, generator=g) * wl
    return peaks.sum(dim=1) + baseline + 0.1 * torch.randn(n, N_BINS, generator=g)


class SpectraAutoencoder(L.LightningModule):
    def __init__(self, latent=8, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(nn.Linear(N_BINS, 64), nn.SiLU(), nn.Linear(64, latent))
        self.decoder = nn.Sequential(nn.Linear(latent, 64), nn.SiLU(), nn.Linear(64, N_BINS))

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def training_step(self, batch, batch_idx):
        (x,) = batch
        recon = self(x)
        loss = ((recon.float() - x) ** 2).sum(dim=1).mean()
        if self.global_step % 10 == 0 or self.global_step < 4:
            scale = self.trainer.precision_plugin.scaler.get_scale()
            print(f"step {self.global_step:3d} loss {loss.item():10.3f} grad-scale {scale:g}")
        return loss

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        warm = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10))
        return {"optimizer": opt, "lr_scheduler": {"scheduler": warm, "interval": "step"}}


def main():
    L.seed_everything(13, verbose=False)
    spectra = synth_spectra(2048, seed=13)
    loader = DataLoader(TensorDataset(spectra), batch_size=16, shuffle=True)
    trainer = L.Trainer(accelerator="cpu", plugins=[MixedPrecision("16-mixed", "cpu")], max_steps=60,
                        gradient_clip_val=5.0,
                        enable_checkpointing=False, logger=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(SpectraAutoencoder(), loader)


if __name__ == "__main__":
    main()
