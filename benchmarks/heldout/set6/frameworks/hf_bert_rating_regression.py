"""Predict a product review's star rating (1-5) from its token ids with a small
BERT regressor trained from scratch. Reviews come pre-tokenised from the
ingestion job as id lists; ratings are parsed from the export's `stars` column."""
import argparse
import io
import logging
import math
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("ratings")

VOCAB = 200
MAX_LEN = 24
PAD = 0


def load_reviews(n, seed):
    """Synthetic stand-in for the export: sentiment words shift the rating."""
    g = torch.Generator().manual_seed(seed)
    positive = torch.arange(10, 30)
    negative = torch.arange(30, 50)
    rows = []
    for i in range(n):
        length = int(torch.randint(8, MAX_LEN, (1,), generator=g))
        ids = torch.randint(50, VOCAB, (length,), generator=g)
        n_pos = int(torch.randint(0, 4, (1,), generator=g))
        n_neg = int(torch.randint(0, 4, (1,), generator=g))
        slots = torch.randperm(length, generator=g)
        ids[slots[:n_pos]] = positive[torch.randint(20, (n_pos,), generator=g)]
        ids[slots[n_pos:n_pos + n_neg]] = negative[torch.randint(20, (n_neg,), generator=g)]
        stars = str(min(5, max(1, 3 + n_pos - n_neg)))
        if float(torch.rand(1, generator=g)) < 0.008:
            stars = ""
        rows.append((ids.tolist(), f"{seed * 100000 + i},{stars}"))
    return rows


def read_stars_column(csv_lines):
    text = "review_id,stars\n" + "\n".join(csv_lines)
    return np.genfromtxt(io.StringIO(text), delimiter=",", skip_header=1, usecols=1, dtype=np.float32)


class ReviewDataset(Dataset):
    def __init__(self, rows):
        stars_col = read_stars_column([line for _, line in rows])
        self.items = []
        for (ids, _), stars in zip(rows, stars_col):
            ids = ids[:MAX_LEN]
            attn = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
            ids = ids + [PAD] * (MAX_LEN - len(ids))
            self.items.append({
                "input_ids": torch.tensor(ids),
                "attention_mask": torch.tensor(attn),
                "labels": torch.tensor(float(stars), dtype=torch.float),
            })

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        return self.items[idx]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-steps", type=int, default=40)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args()

    set_seed(11)
    train_rows = load_reviews(512, seed=5)
    eval_rows = load_reviews(64, seed=7)
    train_ds = ReviewDataset(train_rows)
    eval_ds = ReviewDataset(eval_rows)
    log.info("train=%d eval=%d", len(train_ds), len(eval_ds))

    config = BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_LEN,
        num_labels=1,
        problem_type="regression",
        pad_token_id=PAD,
    )
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out_dir:
        targs = TrainingArguments(
            output_dir=out_dir,
            per_device_train_batch_size=16,
            per_device_eval_batch_size=32,
            learning_rate=args.lr,
            max_steps=args.max_steps,
            logging_steps=5,
            eval_strategy="no",
            save_strategy="no",
            report_to=[],
            use_cpu=True,
            seed=11,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=targs, train_dataset=train_ds, eval_dataset=eval_ds)
        trainer.train()
        metrics = trainer.evaluate()
        log.info("eval mse=%.4f rmse=%.4f", metrics["eval_loss"], math.sqrt(metrics["eval_loss"]))


if __name__ == "__main__":
    main()
