import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
import lightning as L


class SensorWindows(Dataset):
    """Windows of multichannel sensor readings for self-supervised pretraining."""

    def __init__(self, n=65, channels=6, length=24, seed=0):
        g = torch.Generator().manual_seed(seed)
        t = torch.linspace(0, 6.28, length)
        freq = torch.rand(n, channels, 1, generator=g) * 3 + 0.5
        phase = torch.rand(n, channels, 1, generator=g) * 6.28
        self.x = torch.sin(freq * t + phase) + 0.1 * torch.randn(n, channels, length, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


def augment(x):
    scale = 1 + 0.1 * torch.randn(x.shape[0], x.shape[1], 1)
    return x * scale + 0.05 * torch.randn_like(x)


class VICRegModule(L.LightningModule):
    def __init__(self, channels=6, length=24, emb=16, lr=1e-3, sim_w=25.0, var_w=25.0):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Flatten(), nn.Linear(channels * length, 64), nn.ReLU(), nn.Linear(64, emb)
        )
        self.projector = nn.Sequential(nn.Linear(emb, 32), nn.ReLU(), nn.Linear(32, 32))

    def training_step(self, batch, batch_idx):
        z1 = self.projector(self.encoder(augment(batch)))
        z2 = self.projector(self.encoder(augment(batch)))
        sim = F.mse_loss(z1, z2)
        std1 = torch.sqrt(z1.var(dim=0) + 1e-4)
        std2 = torch.sqrt(z2.var(dim=0) + 1e-4)
        var = F.relu(1 - std1).mean() + F.relu(1 - std2).mean()
        loss = self.hparams.sim_w * sim + self.hparams.var_w * var
        print(f"step {self.global_step} batch {batch.shape[0]} loss {loss.item():.4f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-steps", type=int, default=8)
    args = p.parse_args()

    L.seed_everything(0, verbose=False)
    loader = DataLoader(SensorWindows(), batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = VICRegModule()
    trainer = L.Trainer(accelerator="cpu", max_steps=args.max_steps, enable_progress_bar=False,
                        logger=False, enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(model, loader)


if __name__ == "__main__":
    main()
