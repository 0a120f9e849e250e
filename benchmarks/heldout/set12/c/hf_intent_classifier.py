import math
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

VOCAB = 500
PAD_ID = 0
INTENTS = ["book_flight", "cancel_order", "check_balance", "reset_password", "track_package", "talk_to_agent"]


class UtteranceDataset(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n):
            label = int(torch.randint(0, len(INTENTS), (1,), generator=g))
            length = int(torch.randint(4, 20, (1,), generator=g))
            ids = torch.randint(10, VOCAB, (length,), generator=g)
            ids[:2] = torch.tensor([2 + 2 * label, 3 + 2 * label])
            self.items.append((ids, label))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ids, label = self.items[i]
        return {"input_ids": ids, "labels": label}


def pad_collate(features):
    max_len = max(len(f["input_ids"]) for f in features)
    input_ids = torch.full((len(features), max_len), PAD_ID, dtype=torch.long)
    for i, f in enumerate(features):
        input_ids[i, : len(f["input_ids"])] = f["input_ids"]
    return {
        "input_ids": input_ids,
        "attention_mask": (input_ids != PAD_ID).long(),
        "labels": torch.tensor([f["labels"] for f in features]),
    }


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return self.scale * x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True))


class EncoderBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = RMSNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = RMSNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, key_padding_mask):
        h = self.norm1(x)
        a, _ = self.attn(h, h, h, key_padding_mask=key_padding_mask, need_weights=False)
        x = x + a
        return x + self.ff(self.norm2(x))


class IntentClassifier(nn.Module):
    def __init__(self, dim=32, heads=4, layers=2, max_len=64):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, dim, padding_idx=PAD_ID)
        self.pos = nn.Parameter(torch.zeros(max_len, dim))
        self.blocks = nn.ModuleList([EncoderBlock(dim, heads) for _ in range(layers)])
        self.norm = RMSNorm(dim)
        self.head = nn.Linear(dim, len(INTENTS))

    def forward(self, input_ids, attention_mask, labels=None):
        x = self.embed(input_ids) + self.pos[: input_ids.size(1)] * attention_mask.unsqueeze(-1)
        pad = attention_mask == 0
        for block in self.blocks:
            x = block(x, pad)
        x = self.norm(x)
        m = attention_mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1)
        logits = self.head(pooled)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


def main():
    set_seed(0)
    train_set = UtteranceDataset(640, seed=1)
    eval_set = UtteranceDataset(128, seed=2)
    args = TrainingArguments(
        output_dir="/tmp/intent-classifier",
        per_device_train_batch_size=16,
        per_device_eval_batch_size=32,
        learning_rate=2e-3,
        max_steps=30,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=15,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = Trainer(model=IntentClassifier(), args=args, train_dataset=train_set,
                      eval_dataset=eval_set, data_collator=pad_collate)
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
