import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset

VOCAB, PAD, MAX_LEN, N_INTENTS = 400, 0, 24, 5


class Utterances(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, N_INTENTS, (n,), generator=g)
        self.tokens = torch.full((n, MAX_LEN), PAD)
        lengths = torch.randint(3, MAX_LEN + 1, (n,), generator=g)
        for i in range(n):
            L_i = int(lengths[i])
            toks = torch.randint(1, VOCAB, (L_i,), generator=g)
            cue = 1 + int(self.labels[i]) * 7
            toks[torch.randint(0, L_i, (1,), generator=g)] = cue
            self.tokens[i, :L_i] = toks

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.tokens[i], self.labels[i]


class IntentModel(L.LightningModule):
    def __init__(self, d=32, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(MAX_LEN, d))
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.attn_pool = nn.Linear(d, 1)
        self.head = nn.Linear(d, N_INTENTS)

    def forward(self, tokens):
        pad_mask = tokens == PAD
        h = self.embed(tokens) + self.pos
        h = self.encoder(h, src_key_padding_mask=pad_mask)
        scores = self.attn_pool(h).squeeze(-1).masked_fill(pad_mask, float("-inf"))
        weights = scores.softmax(dim=-1)
        pooled = (weights.unsqueeze(-1) * h).sum(1)
        return self.head(pooled)

    def training_step(self, batch, batch_idx):
        tokens, labels = batch
        loss = F.cross_entropy(self(tokens), labels)
        self.log("train_loss", loss)
        if batch_idx % 10 == 0:
            print(f"epoch {self.current_epoch} batch {batch_idx} loss {loss.item():.4f}")
        return loss

    def validation_step(self, batch, batch_idx):
        tokens, labels = batch
        logits = self(tokens)
        acc = (logits.argmax(-1) == labels).float().mean()
        self.log("val_acc", acc)
        print(f"val acc {acc.item():.3f}")

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        return opt


if __name__ == "__main__":
    L.seed_everything(0)
    train = DataLoader(Utterances(512, 1), batch_size=32, shuffle=True)
    val = DataLoader(Utterances(256, 2), batch_size=256)
    trainer = L.Trainer(accelerator="cpu", max_epochs=2, precision="bf16-mixed", gradient_clip_val=1.0,
                        enable_progress_bar=False, logger=False, enable_checkpointing=False,
                        enable_model_summary=False)
    trainer.fit(IntentModel(), train, val)
