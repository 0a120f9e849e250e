import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

VOCAB = 1000
MAX_LEN = 24
PAD = 0


class ReviewDataset(Dataset):
    """Product reviews already mapped to word-piece ids (no special tokens)."""

    def __init__(self, n=512, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.lengths = torch.randint(3, MAX_LEN + 1, (n,), generator=g)
        # some reviews are star-only submissions with an empty text field
        self.lengths[[45, 46, 300]] = 0
        self.ids = torch.randint(5, VOCAB, (n, MAX_LEN), generator=g)
        positive_words = self.ids[:, :4].float().mean(1) > VOCAB / 2
        self.labels = positive_words.long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        n = int(self.lengths[i])
        ids = torch.full((MAX_LEN,), PAD, dtype=torch.long)
        ids[:n] = self.ids[i, :n]
        mask = torch.zeros(MAX_LEN, dtype=torch.long)
        mask[:n] = 1
        return {"input_ids": ids, "attention_mask": mask, "labels": self.labels[i]}


class MeanPoolClassifier(nn.Module):
    def __init__(self, config, num_labels=2):
        super().__init__()
        self.config = config
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(config.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask, labels=None):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(dim=1) / m.sum(dim=1)
        logits = self.head(self.dropout(pooled))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


def main():
    set_seed(42)
    config = BertConfig(
        vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=128, max_position_embeddings=64, pad_token_id=PAD,
    )
    model = MeanPoolClassifier(config)
    args = TrainingArguments(
        output_dir="/tmp/hf_review_pooling",
        per_device_train_batch_size=16,
        learning_rate=5e-4,
        max_steps=15,
        logging_steps=5,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=42,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=ReviewDataset())
    trainer.train()


if __name__ == "__main__":
    main()
