import argparse

import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def make_vibration_windows(n=4096, n_channels=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.linspace(0, 1, n_channels)
    freqs = torch.rand(n, 1, generator=g) * 6 + 1
    phase = torch.rand(n, 1, generator=g) * 6.28
    x = torch.sin(2 * 3.1416 * freqs * t + phase)
    x = x + 0.05 * torch.randn(n, n_channels, generator=g)
    return x


class OrthoAutoencoder(L.LightningModule):
    def __init__(self, n_in=32, n_code=12, lr=0.05, ortho_weight=50.0):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Linear(n_in, n_code)
        self.decoder = nn.Sequential(nn.Linear(n_code, 64), nn.Tanh(), nn.Linear(64, n_in))

    def forward(self, x):
        return self.decoder(torch.tanh(self.encoder(x)))

    def orthogonality_penalty(self):
        W = self.encoder.weight
        gram = W @ W.t()
        eye = torch.eye(gram.shape[0], device=gram.device)
        return ((gram - eye) ** 2).sum()

    def training_step(self, batch, batch_idx):
        (x,) = batch
        recon = F.mse_loss(self(x), x)
        ortho = self.orthogonality_penalty()
        loss = recon + self.hparams.ortho_weight * ortho
        self.log_dict({"recon": recon, "ortho": ortho, "loss": loss}, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        (x,) = batch
        self.log("val_recon", F.mse_loss(self(x), x))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max_steps", type=int, default=200)
    args = parser.parse_args()

    L.seed_everything(0)
    x = make_vibration_windows()
    train = DataLoader(TensorDataset(x[:3584]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(x[3584:]), batch_size=256)
    model = OrthoAutoencoder()
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=args.max_steps,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        val_check_interval=50,
    )
    trainer.fit(model, train, val)
    print({k: float(v) for k, v in trainer.callback_metrics.items()})


if __name__ == "__main__":
    main()
