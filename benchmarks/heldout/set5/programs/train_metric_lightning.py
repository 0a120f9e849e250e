import argparse

import lightning as L
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--max-steps", type=int, default=20)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--margin", type=float, default=1.0)
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args()


def make_clusters(n_classes=10, per_class=200, dim=24, seed=0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(n_classes, dim, generator=g) * 2
    x = centers.repeat_interleave(per_class, 0) + torch.randn(n_classes * per_class, dim, generator=g)
    y = torch.arange(n_classes).repeat_interleave(per_class)
    return x, y


class Embedder(L.LightningModule):
    def __init__(self, dim_in=24, dim_out=8, margin=1.0, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(dim_in, 64), nn.ReLU(), nn.Linear(64, dim_out))

    def forward(self, x):
        return self.net(x)

    def contrastive_loss(self, emb, labels):
        diff = emb[:, None, :] - emb[None, :, :]
        dist = torch.sqrt((diff ** 2).sum(-1))
        same = (labels[:, None] == labels[None, :]).float()
        pos = same * dist.pow(2)
        neg = (1 - same) * torch.relu(self.hparams.margin - dist).pow(2)
        return (pos + neg).mean()

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.contrastive_loss(self(x), y)
        if self.global_step % 5 == 0:
            print(f"step {self.global_step:3d}  loss {loss.item():.4f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(0, verbose=False)
    x, y = make_clusters()
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    model = Embedder(margin=args.margin, lr=args.lr)
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=args.max_steps,
        enable_progress_bar=False,
        enable_checkpointing=False,
        logger=False,
        enable_model_summary=False,
    )
    trainer.fit(model, loader)
    with torch.no_grad():
        emb = model(x[:256])
        print("final embedding norm", emb.norm(dim=1).mean().item())


if __name__ == "__main__":
    main()
