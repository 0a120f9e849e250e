import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset


class AccelerometerWindows(Dataset):
    def __init__(self, n=1024, channels=3, length=64, seed=5):
        g = torch.Generator().manual_seed(seed)
        t = torch.linspace(0, 6.283, length)
        activity = torch.randint(0, 6, (n,), generator=g)
        freq = (activity.float() + 1).view(n, 1, 1)
        phase = torch.rand(n, channels, 1, generator=g) * 6.283
        self.x = torch.sin(freq * t + phase) + 0.2 * torch.randn(n, channels, length, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


def augment(x):
    scale = 1 + 0.1 * torch.randn(x.size(0), x.size(1), 1)
    jitter = 0.2 * torch.randn_like(x)
    return x * scale + jitter


class SimCLR(L.LightningModule):
    def __init__(self, temperature=0.01, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.encoder = nn.Sequential(
            nn.Conv1d(3, 32, 5, padding=2), nn.ReLU(),
            nn.Conv1d(32, 64, 5, padding=2, stride=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.projector = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32))

    def info_nce(self, z1, z2):
        z1 = F.normalize(z1, dim=1)
        z2 = F.normalize(z2, dim=1)
        sim = z1 @ z2.t() / self.hparams.temperature
        exp_sim = torch.exp(sim)
        pos = exp_sim.diag()
        return -torch.log(pos / exp_sim.sum(dim=1)).mean()

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        z1 = self.projector(self.encoder(augment(batch)))
        z2 = self.projector(self.encoder(augment(batch)))
        loss = self.info_nce(z1, z2)
        opt.zero_grad()
        self.manual_backward(loss)
        self.clip_gradients(opt, gradient_clip_val=5.0, gradient_clip_algorithm="norm")
        opt.step()
        if batch_idx % 5 == 0:
            print(f"epoch {self.current_epoch} batch {batch_idx} nce {loss.item():.4f}")

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(0)
    loader = DataLoader(AccelerometerWindows(), batch_size=128, shuffle=True)
    trainer = L.Trainer(accelerator="cpu", max_epochs=2, enable_progress_bar=False, logger=False,
                        enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(SimCLR(), loader)
