import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
import lightning as L

VOCAB = 6000
SEQ_LEN = 48
N_CLASSES = 5


class ProductReviews(Dataset):
    def __init__(self, n=2048, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, N_CLASSES, (n,), generator=g)
        # Zipf-like token frequencies; a few sentiment words per class
        ranks = torch.arange(1, VOCAB + 1, dtype=torch.float)
        freq = 1.0 / ranks
        self.tokens = torch.multinomial(freq / freq.sum(), n * SEQ_LEN, replacement=True,
                                        generator=g).view(n, SEQ_LEN)
        cue = 10 + self.labels * 7
        pos = torch.randint(0, SEQ_LEN, (n, 4), generator=g)
        self.tokens.scatter_(1, pos, cue.unsqueeze(1).expand(-1, 4))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tokens[i], self.labels[i]


class ReviewClassifier(L.LightningModule):
    def __init__(self, emb_dim=64, hidden=64, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.Embedding(VOCAB, emb_dim)
        self.encoder = nn.Sequential(nn.Linear(emb_dim, hidden), nn.GELU())
        self.head = nn.Linear(hidden, N_CLASSES)

    def forward(self, tokens):
        h = self.embed(tokens).mean(dim=1)
        return self.head(self.encoder(h))

    def training_step(self, batch, batch_idx):
        tokens, labels = batch
        logits = self(tokens)
        loss = F.cross_entropy(logits.float(), labels)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.01)


def main():
    L.seed_everything(0)
    loader = DataLoader(ProductReviews(), batch_size=64, shuffle=True)
    model = ReviewClassifier()
    trainer = L.Trainer(accelerator="cpu", devices=1, precision="16-true", max_steps=40,
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, loader)
    print("final loss", trainer.callback_metrics.get("train_loss"))


if __name__ == "__main__":
    main()
