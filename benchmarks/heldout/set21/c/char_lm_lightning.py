import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset

TEXT = ("the quick brown fox jumps over the lazy dog. " * 40)
CHARS = sorted(set(TEXT))
STOI = {c: i + 1 for i, c in enumerate(CHARS)}
PAD = 0


class CharChunks(Dataset):
    def __init__(self, block=24, n=96, seed=5):
        g = torch.Generator().manual_seed(seed)
        data = torch.tensor([STOI[c] for c in TEXT])
        starts = torch.randint(0, len(data) - block - 1, (n,), generator=g)
        lens = torch.randint(block // 2, block + 1, (n,), generator=g)
        self.items = []
        for s, l in zip(starts.tolist(), lens.tolist()):
            x = torch.full((block,), PAD)
            y = torch.full((block,), -100)
            x[:l] = data[s:s + l]
            y[:l] = data[s + 1:s + l + 1]
            self.items.append((x, y))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, key_pad):
        B, T, D = x.shape
        h = self.ln1(x)
        q, k, v = self.qkv(h).split(D, dim=-1)
        q, k, v = (t.view(B, T, self.heads, D // self.heads).transpose(1, 2) for t in (q, k, v))
        att = q @ k.transpose(-2, -1) / math.sqrt(D // self.heads)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        att = att.masked_fill(causal, float("-inf"))
        att = att.masked_fill(key_pad[:, None, None, :] & ~torch.eye(T, dtype=torch.bool), float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.proj(y)
        return x + self.mlp(self.ln2(x))


class CharLM(L.LightningModule):
    def __init__(self, vocab=len(CHARS) + 1, d=32, heads=4, layers=2, block=24, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.zeros(1, block, d))
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.out = nn.Linear(d, vocab)

    def forward(self, x):
        key_pad = x == PAD
        h = self.tok(x) + self.pos[:, :x.size(1)]
        for b in self.blocks:
            h = b(h, key_pad)
        return self.out(self.ln(h))

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), ignore_index=-100)
        if self.global_step % 10 == 0:
            print(f"step {self.global_step} loss {loss.item():.6f} logit range {logits.min().item():.1f}..{logits.max().item():.1f}")
        self.log("loss", loss)
        return loss

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.0)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.hparams.lr, total_steps=40)
        return [opt], [{"scheduler": sched, "interval": "step"}]


if __name__ == "__main__":
    L.seed_everything(0)
    trainer = L.Trainer(max_steps=40, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=1.0)
    trainer.fit(CharLM(), DataLoader(CharChunks(), batch_size=16, shuffle=True))
