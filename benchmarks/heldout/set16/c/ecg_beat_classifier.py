import torch
from torch import nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset


class BeatDataset(Dataset):
    def __init__(self, n=512, max_len=96, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.lengths = torch.randint(40, max_len + 1, (n,), generator=g)
        self.labels = torch.randint(0, 3, (n,), generator=g)
        t = torch.linspace(0, 1, max_len)
        freq = torch.tensor([3.0, 5.0, 8.0])[self.labels].unsqueeze(1)
        self.x = torch.sin(2 * torch.pi * freq * t) + 0.05 * torch.randn(n, max_len, generator=g)
        pad = torch.arange(max_len).unsqueeze(0) >= self.lengths.unsqueeze(1)
        self.x[pad] = 0.0
        self.pad = pad

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.x[i].unsqueeze(-1), self.pad[i], self.labels[i]


class AttnPool(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.score = nn.Linear(dim, 1)

    def forward(self, h, pad):
        s = self.score(h).squeeze(-1).masked_fill(pad, float("-inf"))
        w = torch.softmax(s, dim=-1)
        return (w.unsqueeze(-1) * h).sum(1)


class BeatClassifier(L.LightningModule):
    def __init__(self, hidden=32, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.conv = nn.Sequential(nn.Conv1d(1, hidden, 7, padding=3), nn.ReLU(), nn.Conv1d(hidden, hidden, 7, padding=3), nn.ReLU())
        self.pool = AttnPool(hidden)
        self.head = nn.Linear(hidden, 3)

    def forward(self, x, pad):
        h = self.conv(x.transpose(1, 2)).transpose(1, 2)
        return self.head(self.pool(h, pad))

    def training_step(self, batch, batch_idx):
        x, pad, y = batch
        logits = self(x, pad)
        loss = F.cross_entropy(logits, y)
        self.log("loss", loss, prog_bar=True)
        self.log("log10_loss", torch.log10(loss.detach()), prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, pad, y = batch
        self.log("val_acc", (self(x, pad).argmax(-1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(0)
    train_dl = DataLoader(BeatDataset(384, seed=0), batch_size=32, shuffle=True)
    val_dl = DataLoader(BeatDataset(128, seed=1), batch_size=64)
    trainer = L.Trainer(accelerator="cpu", max_epochs=3, enable_checkpointing=False, logger=False,
                        enable_model_summary=False, log_every_n_steps=4)
    trainer.fit(BeatClassifier(), train_dl, val_dl)
    print({k: float(v) for k, v in trainer.callback_metrics.items()})
