import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
import lightning as L

VOCAB = 500
PAD = 0
MAX_LEN = 48


class ReviewDataset(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.lengths = torch.randint(1, MAX_LEN + 1, (n,), generator=g)
        self.labels = torch.randint(0, 2, (n,), generator=g)
        self.tokens = torch.full((n, MAX_LEN), PAD, dtype=torch.long)
        for i in range(n):
            k = int(self.lengths[i])
            toks = torch.randint(10, VOCAB, (k,), generator=g)
            cue = 1 if self.labels[i] == 1 else 2
            toks[torch.randint(0, k, (1,), generator=g)] = cue
            self.tokens[i, :k] = toks

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tokens[i], self.labels[i]


class AttentionPoolClassifier(L.LightningModule):
    def __init__(self, dim=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(dim, 4, dim * 2, dropout=0.0, batch_first=True), num_layers=1
        )
        self.score = nn.Linear(dim, 1)
        self.out = nn.Linear(dim, 2)

    def forward(self, tokens):
        pad = tokens == PAD
        h = self.encoder(self.embed(tokens), src_key_padding_mask=pad)
        s = self.score(h).squeeze(-1).masked_fill(pad, float("-inf"))
        w = torch.softmax(s, dim=-1)
        pooled = torch.einsum("bt,btd->bd", w, h)
        return self.out(pooled) * 8.0

    def training_step(self, batch, batch_idx):
        tokens, y = batch
        logp = torch.log_softmax(self(tokens), dim=-1)
        loss = nn.functional.nll_loss(logp, y)
        self.log("train_loss", loss, prog_bar=True)
        self.log("min_logp", logp.min())
        return loss

    def validation_step(self, batch, batch_idx):
        tokens, y = batch
        logits = self(tokens)
        self.log("val_loss", nn.functional.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(-1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--max-steps", type=int, default=120)
    args = p.parse_args()
    L.seed_everything(5)
    model = AttentionPoolClassifier()
    train_dl = DataLoader(ReviewDataset(1536, seed=1), batch_size=32, shuffle=True)
    val_dl = DataLoader(ReviewDataset(256, seed=2), batch_size=128)
    trainer = L.Trainer(
        max_steps=args.max_steps, accelerator="cpu", devices=1, log_every_n_steps=10,
        enable_checkpointing=False, logger=False, enable_model_summary=False,
        val_check_interval=40,
    )
    trainer.fit(model, train_dl, val_dl)


if __name__ == "__main__":
    main()
