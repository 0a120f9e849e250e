import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L


def make_sensor_windows(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 4, (n,), generator=g)
    t = torch.arange(128, dtype=torch.float32) / 50.0
    accel = torch.randn(n, 3, 128, generator=g) * 0.3
    freq = torch.tensor([0.5, 1.8, 2.6, 1.2])[labels]
    accel[:, 2] += torch.sin(2 * torch.pi * freq[:, None] * t) * (1 + labels[:, None])
    stairs = (labels == 3).float()[:, None]
    pressure = 1013.25 + 0.02 * torch.randn(n, 1, generator=g) + stairs * (-0.004 * t) + 0.0005 * torch.randn(n, 128, generator=g)
    x = torch.cat([accel, pressure[:, None, :]], dim=1)
    return x, labels


class WindowStandardize(nn.Module):
    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = (x * x).mean(dim=-1, keepdim=True) - mean * mean
        return (x - mean) / torch.sqrt(var + 1e-6)


class ActivityNet(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.norm = WindowStandardize()
        self.features = nn.Sequential(
            nn.Conv1d(4, 32, 9, padding=4), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 32, 9, padding=4), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.head = nn.Linear(32, 4)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x):
        return self.head(self.features(self.norm(x)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = self.loss_fn(logits, y)
        acc = (logits.argmax(-1) == y).float().mean()
        self.log("train_loss", loss, prog_bar=True)
        self.log("train_acc", acc, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
        return [opt], [sched]


def main():
    L.seed_everything(21)
    x, y = make_sensor_windows(1024, seed=21)
    train = TensorDataset(x[:896], y[:896])
    val = TensorDataset(x[896:], y[896:])
    model = ActivityNet()
    trainer = L.Trainer(
        max_steps=40, accelerator="cpu", devices=1, log_every_n_steps=5,
        val_check_interval=20, enable_checkpointing=False, logger=False,
        enable_model_summary=False,
    )
    trainer.fit(model, DataLoader(train, batch_size=32, shuffle=True), DataLoader(val, batch_size=64))


if __name__ == "__main__":
    main()
