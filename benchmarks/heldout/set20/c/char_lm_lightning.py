import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

TEXT = (
    "the quick brown fox jumps over the lazy dog. "
    "pack my box with five dozen liquor jugs. "
    "how vexingly quick daft zebras jump! "
) * 8
PAD = 0


class LineDataset(Dataset):
    def __init__(self, text, max_len=40, seed=0):
        chars = sorted(set(text))
        self.stoi = {c: i + 1 for i, c in enumerate(chars)}
        self.vocab_size = len(chars) + 1
        g = torch.Generator().manual_seed(seed)
        self.samples = []
        for _ in range(512):
            start = int(torch.randint(0, len(text) - max_len, (1,), generator=g))
            length = int(torch.randint(12, max_len + 1, (1,), generator=g))
            ids = [self.stoi[c] for c in text[start:start + length]]
            self.samples.append(torch.tensor(ids + [PAD] * (max_len - length)))

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return self.samples[i]


class TinyCharLM(L.LightningModule):
    def __init__(self, vocab_size, d_model=64, n_heads=4, n_layers=2, max_len=40, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.tok = nn.Embedding(vocab_size, d_model, padding_idx=PAD)
        self.pos = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, 4 * d_model, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.lm_head = nn.Linear(d_model, vocab_size)

    def forward(self, ids):
        T = ids.shape[1]
        causal = nn.Transformer.generate_square_subsequent_mask(T)
        pad_mask = torch.zeros_like(ids, dtype=torch.float).masked_fill(ids == PAD, float("-inf"))
        h = self.tok(ids) + self.pos(torch.arange(T))
        h = self.encoder(h, mask=causal, src_key_padding_mask=pad_mask, is_causal=True)
        return self.lm_head(h)

    def training_step(self, ids, batch_idx):
        logits = self(ids[:, :-1])
        targets = ids[:, 1:]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=PAD)
        log_probs = F.log_softmax(logits, dim=-1)
        entropy = -(log_probs.exp() * log_probs).sum(-1)[targets != PAD].mean()
        self.log_dict({"loss": loss, "entropy": entropy}, prog_bar=True)
        return loss

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_steps)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


if __name__ == "__main__":
    L.seed_everything(0)
    ds = LineDataset(TEXT)
    loader = DataLoader(ds, batch_size=32, shuffle=True)
    model = TinyCharLM(ds.vocab_size)
    trainer = L.Trainer(accelerator="cpu", max_steps=200, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=1.0)
    trainer.fit(model, loader)
    print({k: float(v) for k, v in trainer.callback_metrics.items()})
