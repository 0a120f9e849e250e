import torch
from torch import nn
import torch.nn.functional as F
import lightning as L


class RingSamples(torch.utils.data.IterableDataset):
    """Endless stream of points from 8 Gaussians placed on a ring."""

    def __init__(self, batch_size=128, seed=0):
        self.batch_size = batch_size
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        angles = torch.arange(8) * (2 * torch.pi / 8)
        centers = torch.stack([angles.cos(), angles.sin()], 1) * 4.0
        while True:
            k = torch.randint(0, 8, (self.batch_size,), generator=g)
            yield centers[k] + 0.05 * torch.randn(self.batch_size, 2, generator=g)


class RingGAN(L.LightningModule):
    def __init__(self, z_dim=8, hidden=128, lr_g=2e-5, lr_d=5e-3):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.G = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                               nn.ReLU(), nn.Linear(hidden, 2))
        self.D = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden),
                               nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def training_step(self, real, batch_idx):
        real = real.squeeze(0)
        opt_g, opt_d = self.optimizers()
        z = torch.randn(real.size(0), self.hparams.z_dim)

        fake = self.G(z)
        d_real = self.D(real)
        d_fake = self.D(fake.detach())
        loss_d = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                  + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
        opt_d.zero_grad()
        self.manual_backward(loss_d)
        opt_d.step()

        d_gen = self.D(fake)
        loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
        opt_g.zero_grad()
        self.manual_backward(loss_g)
        opt_g.step()

        if batch_idx % 25 == 0:
            print(f"it {batch_idx:4d}  loss_d {loss_d.item():.3e}  loss_g {loss_g.item():.3f}  "
                  f"d_real_logit {d_real.mean().item():.1f}  d_fake_logit {d_fake.mean().item():.1f}")
        self.log_dict({"loss_d": loss_d, "loss_g": loss_g}, prog_bar=True)

    def configure_optimizers(self):
        opt_g = torch.optim.Adam(self.G.parameters(), lr=self.hparams.lr_g, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(self.D.parameters(), lr=self.hparams.lr_d, betas=(0.5, 0.999))
        return opt_g, opt_d


if __name__ == "__main__":
    L.seed_everything(11)
    loader = torch.utils.data.DataLoader(RingSamples(), batch_size=None)
    trainer = L.Trainer(accelerator="cpu", max_steps=400, enable_checkpointing=False,
                        logger=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(RingGAN(), loader)
