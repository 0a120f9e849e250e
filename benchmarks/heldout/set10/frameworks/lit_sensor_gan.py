import math

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
import lightning as L

WINDOW = 32
LATENT = 16


class TurbineWindows(Dataset):
    """Vibration readings from a turbine, cut into fixed windows."""

    def __init__(self, n_windows=1024, seed=5):
        g = torch.Generator().manual_seed(seed)
        t = torch.arange(WINDOW, dtype=torch.float32)
        freq = 0.15 + 0.25 * torch.rand(n_windows, 1, generator=g)
        phase = 2 * math.pi * torch.rand(n_windows, 1, generator=g)
        amp = 0.2 + 0.8 * torch.rand(n_windows, 1, generator=g)
        level = 1.0 + 0.5 * torch.rand(n_windows, 1, generator=g)
        self.x = level + amp * torch.sin(freq * t + phase) + 0.05 * torch.randn(n_windows, WINDOW, generator=g)
        # sensor outages: the logger repeats the last value it received
        outage = torch.tensor([77, 78, 79, 80, 81, 412, 413, 901])
        held = torch.tensor([1.3, 1.3, 1.3, 1.3, 1.3, 1.21, 1.21, 1.47])
        self.x[outage] = held[:, None].expand(-1, WINDOW).clone()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


def standardize_window(x):
    mean = x.mean(dim=-1, keepdim=True)
    var = (x * x).mean(dim=-1, keepdim=True) - mean * mean
    return (x - mean) / var.sqrt(), mean, var


class Critic(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(WINDOW + 2, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        z, mean, var = standardize_window(x)
        return self.net(torch.cat([z, mean, var], dim=-1))


class Generator(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(LATENT, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, WINDOW),
        )

    def forward(self, z):
        return 1.25 + self.net(z)


class WindowGAN(L.LightningModule):
    def __init__(self, lr=2e-4):
        super().__init__()
        self.automatic_optimization = False
        self.gen = Generator()
        self.critic = Critic()
        self.bce = nn.BCEWithLogitsLoss()
        self.lr = lr

    def training_step(self, real, batch_idx):
        opt_g, opt_d = self.optimizers()
        b = real.shape[0]
        z = torch.randn(b, LATENT)

        fake = self.gen(z)
        d_real = self.critic(real)
        d_fake = self.critic(fake.detach())
        d_loss = self.bce(d_real, torch.ones_like(d_real)) + self.bce(d_fake, torch.zeros_like(d_fake))
        opt_d.zero_grad()
        self.manual_backward(d_loss)
        opt_d.step()

        g_loss = self.bce(self.critic(fake), torch.ones_like(d_fake))
        opt_g.zero_grad()
        self.manual_backward(g_loss)
        opt_g.step()

        if batch_idx % 4 == 0:
            print(f"epoch {self.current_epoch} batch {batch_idx:3d}  d_loss {d_loss.item():.4f}  g_loss {g_loss.item():.4f}")

    def configure_optimizers(self):
        opt_g = torch.optim.Adam(self.gen.parameters(), lr=self.lr, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(self.critic.parameters(), lr=self.lr, betas=(0.5, 0.999))
        return [opt_g, opt_d]


def main():
    L.seed_everything(2024)
    loader = DataLoader(TurbineWindows(), batch_size=32, shuffle=True, drop_last=True)
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir="/tmp/lit_sensor_gan",
    )
    trainer.fit(WindowGAN(), loader)


main()
