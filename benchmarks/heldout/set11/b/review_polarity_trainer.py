import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

POS = ["great", "love", "excellent", "perfect", "happy"]
NEG = ["awful", "hate", "broken", "refund", "worst"]
FILLER = ["the", "product", "it", "was", "and", "i", "this", "delivery", "box", "item", "very", "so"]
VOCAB = ["[PAD]", "[CLS]", "[SEP]"] + POS + NEG + FILLER
TOK = {w: i for i, w in enumerate(VOCAB)}


class Reviews(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.items = []
        for _ in range(n):
            label = int(rng.integers(0, 2))
            words = list(rng.choice(FILLER, size=int(rng.integers(2, 30))))
            words.insert(int(rng.integers(0, len(words))), rng.choice(POS if label else NEG))
            self.items.append(([TOK["[CLS]"]] + [TOK[w] for w in words] + [TOK["[SEP]"]], label))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ids, label = self.items[i]
        return {"input_ids": ids, "label": label}


def pad_batch(batch):
    n = 64
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    mask = torch.zeros(len(batch), n, dtype=torch.long)
    for i, b in enumerate(batch):
        ids[i, :len(b["input_ids"])] = torch.tensor(b["input_ids"])
        mask[i, :len(b["input_ids"])] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": torch.tensor([b["label"] for b in batch])}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=64, num_labels=2)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(output_dir="/tmp/review_polarity", per_device_train_batch_size=16,
                             per_device_eval_batch_size=64, max_steps=60, learning_rate=2e-3,
                             warmup_steps=5, weight_decay=0.0, logging_steps=5, eval_strategy="steps",
                             eval_steps=30, save_strategy="no", report_to=[], use_cpu=True, seed=0)
    trainer = Trainer(model=model, args=args, train_dataset=Reviews(640, 0), eval_dataset=Reviews(128, 1),
                      data_collator=pad_batch, compute_metrics=accuracy)
    trainer.train()


if __name__ == "__main__":
    main()
