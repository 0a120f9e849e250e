import lightning as L
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

VOCAB, PAD = 500, 0
MAX_LEN = 24


class ReviewDataset(Dataset):
    def __init__(self, n, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.lengths = torch.randint(6, MAX_LEN + 1, (n,), generator=g)
        self.labels = torch.randint(0, 2, (n,), generator=g)
        self.tokens = torch.full((n, MAX_LEN), PAD)
        for i in range(n):
            L_i = int(self.lengths[i])
            toks = torch.randint(10, VOCAB, (L_i,), generator=g)
            cue = torch.randint(1, 5, (3,), generator=g)
            cue_pos = torch.randint(0, L_i, (3,), generator=g)
            toks[cue_pos] = (cue + 4 * int(self.labels[i])) % 10
            self.tokens[i, :L_i] = toks

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tokens[i], self.labels[i]


class ReviewClassifier(L.LightningModule):
    def __init__(self, d_model=32, n_heads=2, n_layers=2, lr=5e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=64, batch_first=True, dropout=0.1)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.attn_pool = nn.Linear(d_model, 1)
        self.head = nn.Linear(d_model, 2)

    def forward(self, tokens):
        pad_mask = tokens == PAD
        h = self.encoder(self.embed(tokens) + self.pos, src_key_padding_mask=pad_mask)
        scores = self.attn_pool(h).squeeze(-1).masked_fill(pad_mask, float("-inf"))
        weights = torch.softmax(scores.float(), dim=-1)
        pooled = (weights.unsqueeze(-1) * h.float()).sum(1)
        return self.head(pooled)

    def training_step(self, batch, batch_idx):
        tokens, labels = batch
        loss = F.cross_entropy(self(tokens).float(), labels, reduction="sum")
        self.log("loss", loss / labels.numel(), prog_bar=True)
        return loss

    def on_before_optimizer_step(self, optimizer):
        norms = [p.grad.detach().norm() for p in self.parameters() if p.grad is not None]
        total = torch.stack(norms).norm()
        if self.global_step < 12 or self.global_step % 10 == 0:
            print(f"step {self.global_step:3d} grad_norm {total.item():.4g}")

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(0)
    loader = DataLoader(ReviewDataset(1024), batch_size=32, shuffle=True)
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=30,
        gradient_clip_val=1.0,
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(ReviewClassifier(), loader)
    print("final loss", float(trainer.callback_metrics["loss"]))
