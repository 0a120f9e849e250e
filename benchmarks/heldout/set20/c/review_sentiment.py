import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

PAD, CLS, SEP = 0, 2, 3
POSITIVE_WORDS = list(range(10, 40))
NEGATIVE_WORDS = list(range(40, 70))
FILLER_WORDS = list(range(70, 200))


def make_reviews(n, max_len, seed):
    rng = np.random.default_rng(seed)
    ids = np.full((n, max_len), PAD, dtype=np.int64)
    mask = np.zeros((n, max_len), dtype=np.int64)
    labels = rng.integers(0, 2, n)
    for i in range(n):
        length = int(rng.integers(4, max_len // 3))
        words = list(rng.choice(FILLER_WORDS, length - 3))
        vocab = POSITIVE_WORDS if labels[i] == 1 else NEGATIVE_WORDS
        words.insert(int(rng.integers(0, len(words) + 1)), int(rng.choice(vocab)))
        seq = [CLS] + words + [SEP]
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
    return ids, mask, labels


class ReviewDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {
            "input_ids": torch.tensor(self.ids[i]),
            "attention_mask": torch.tensor(self.mask[i]),
            "labels": torch.tensor(self.labels[i]),
        }


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    nll = -log_probs[np.arange(len(labels)), labels].mean()
    return {"accuracy": float((logits.argmax(1) == labels).mean()), "nll": float(nll)}


def main():
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=256,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=64,
        num_labels=2,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    model = BertForSequenceClassification(config)
    train_ds = ReviewDataset(*make_reviews(384, 48, seed=11))
    eval_ds = ReviewDataset(*make_reviews(128, 48, seed=12))

    args = TrainingArguments(
        output_dir="./sentiment_out",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=64,
        learning_rate=2e-3,
        num_train_epochs=8,
        warmup_steps=10,
        logging_steps=6,
        eval_strategy="epoch",
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()


if __name__ == "__main__":
    main()
