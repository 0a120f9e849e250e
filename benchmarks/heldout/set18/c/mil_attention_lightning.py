import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
import lightning as L


class PatchBags(Dataset):
    """Each slide is a bag of patch embeddings; a slide is positive if any patch is tumour."""

    def __init__(self, n_bags=256, bag_size=24, dim=48, seed=5):
        g = torch.Generator().manual_seed(seed)
        self.bags = torch.relu(torch.randn(n_bags, bag_size, dim, generator=g) * 8.0 + 2.0)
        self.labels = (torch.rand(n_bags, generator=g) < 0.5).float()
        for i in torch.nonzero(self.labels).flatten().tolist():
            k = int(torch.randint(0, bag_size, (1,), generator=g))
            self.bags[i, k, :8] += 25.0

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.bags[i], self.labels[i]


class AttentionMIL(L.LightningModule):
    def __init__(self, dim=48, hidden=64, lr=1e-2, temperature=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.attention = nn.Linear(hidden, 1)
        self.classifier = nn.Linear(hidden, 1)
        self.criterion = nn.BCEWithLogitsLoss()

    def forward(self, bags):
        h = self.encoder(bags)
        scores = self.attention(h).squeeze(-1) / self.hparams.temperature
        weights = torch.exp(scores)
        weights = weights / weights.sum(dim=1, keepdim=True)
        slide = torch.einsum("bn,bnd->bd", weights, h)
        return self.classifier(slide).squeeze(-1), weights

    def training_step(self, batch, batch_idx):
        bags, y = batch
        logits, _ = self(bags)
        loss = self.criterion(logits, y)
        self.log("train_loss", loss, prog_bar=True)
        print(f"epoch {self.current_epoch} batch {batch_idx} step {self.global_step} loss {loss.item():.4f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(0)
    loader = DataLoader(PatchBags(), batch_size=16, shuffle=True)
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=10,
        accumulate_grad_batches=2,
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(AttentionMIL(), loader)


if __name__ == "__main__":
    main()
