import io
import tempfile
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

VOCAB = 200
SEQ = 24


def load_reviews(n=256, seed=0):
    """Tokenized product reviews with the 1-5 star rating as a regression target."""
    rng = np.random.default_rng(seed)
    positive = np.arange(10, 40)
    negative = np.arange(40, 70)
    records = []
    for i in range(n):
        stars = int(rng.integers(1, 6))
        n_pos = stars * 2
        toks = np.concatenate([
            rng.choice(positive, n_pos), rng.choice(negative, 10 - n_pos),
            rng.integers(70, VOCAB, SEQ - 12),
        ])
        rng.shuffle(toks)
        records.append({"tokens": [2] + toks.tolist() + [3], "stars": "" if i in (37, 141, 202) else str(stars)})
    # ratings come from the review DB export (review_id,stars)
    export = "review_id,stars\n" + "\n".join(f"{i},{r['stars']}" for i, r in enumerate(records))
    table = np.genfromtxt(io.StringIO(export), delimiter=",", skip_header=1)
    for i, r in enumerate(records):
        r["rating"] = float(table[i, 1])
    return records


class ReviewDataset(Dataset):
    def __init__(self, records):
        self.records = records

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i):
        r = self.records[i]
        ids = torch.tensor(r["tokens"], dtype=torch.long)
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "labels": torch.tensor((r["rating"] - 3.0) / 2.0, dtype=torch.float32),
        }


def main():
    set_seed(0)
    config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=1,
                        problem_type="regression")
    model = BertForSequenceClassification(config)
    train_ds = ReviewDataset(load_reviews())

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, use_cpu=True, report_to=[], save_strategy="no",
            max_steps=24, per_device_train_batch_size=16, learning_rate=5e-4,
            logging_steps=5, seed=0, dataloader_num_workers=0,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds)
        trainer.train()
        for rec in trainer.state.log_history:
            print(rec)


if __name__ == "__main__":
    main()
