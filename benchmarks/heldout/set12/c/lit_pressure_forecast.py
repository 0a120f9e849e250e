import math
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
import lightning as L


class StationWindows(Dataset):
    def __init__(self, n_windows, window=48, seed=0):
        g = torch.Generator().manual_seed(seed)
        t = torch.arange(window + 1, dtype=torch.float32)
        base = 1013.0 + 9.0 * torch.randn(n_windows, 1, generator=g)
        trend = 0.04 * torch.randn(n_windows, 1, generator=g) * t
        tide = 0.8 * torch.sin(2 * math.pi * t / 12.0 + 6.28 * torch.rand(n_windows, 1, generator=g))
        pressure = base + trend + tide + 0.1 * torch.randn(n_windows, window + 1, generator=g)
        temp = 14.0 + 6.0 * torch.sin(2 * math.pi * t / 24.0) + torch.randn(n_windows, window + 1, generator=g)
        humidity = 65.0 + 10.0 * torch.randn(n_windows, window + 1, generator=g).clamp(-2, 2)
        self.x = torch.stack([pressure, temp, humidity], dim=-1)[:, :window]
        self.y = (pressure[:, window] - pressure[:, window - 1]).unsqueeze(-1)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class TemporalNorm(nn.Module):
    def __init__(self, channels, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, h):
        mean = h.mean(dim=1, keepdim=True)
        var = (h * h).mean(dim=1, keepdim=True) - mean * mean
        h = (h - mean) / torch.sqrt(var + self.eps)
        return h * self.weight + self.bias


class PressureTendencyModel(L.LightningModule):
    def __init__(self, n_inputs=3, d_model=32, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.proj = nn.Linear(n_inputs, d_model)
        self.norm = TemporalNorm(d_model)
        self.conv = nn.Conv1d(d_model, d_model, kernel_size=5, padding=2)
        self.head = nn.Sequential(nn.GELU(), nn.Linear(d_model, 1))

    def forward(self, x):
        h = self.norm(self.proj(x))
        h = self.conv(h.transpose(1, 2)).transpose(1, 2)
        return self.head(h[:, -1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.mse_loss(self(x), y)
        print(f"step {self.global_step} loss {loss.item():.4f}")
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_mse", nn.functional.mse_loss(pred, y))
        self.log("val_mae", (pred - y).abs().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(3, verbose=False)
    train_loader = DataLoader(StationWindows(512, seed=1), batch_size=32, shuffle=True)
    val_loader = DataLoader(StationWindows(128, seed=2), batch_size=64)
    model = PressureTendencyModel()
    trainer = L.Trainer(accelerator="cpu", precision="bf16-mixed", max_steps=20,
                        val_check_interval=10, enable_progress_bar=False, logger=False,
                        enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    print({k: float(v) for k, v in trainer.callback_metrics.items()})
