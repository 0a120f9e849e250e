import argparse
import random
import tempfile

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset
from transformers import BertConfig, BertForTokenClassification, Trainer, TrainingArguments, set_seed

parser = argparse.ArgumentParser()
parser.add_argument("--max-steps", type=int, default=40)
parser.add_argument("--batch-size", type=int, default=4)
parser.add_argument("--lr", type=float, default=5e-4)
parser.add_argument("--annotated-fraction", type=float, default=0.5)
args = parser.parse_args()

VOCAB = 200
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
MAX_LEN = 24
PAD, CLS, SEP = 0, 1, 2
PER_TOKENS = list(range(10, 40))
LOC_TOKENS = list(range(40, 70))


def make_sentence(rng):
    n = rng.randint(6, MAX_LEN - 2)
    toks = [rng.randint(70, VOCAB - 1) for _ in range(n)]
    tags = [0] * n
    for _ in range(rng.randint(0, 2)):
        kind = rng.choice(["PER", "LOC"])
        start = rng.randint(0, n - 2)
        length = rng.randint(1, 2)
        pool = PER_TOKENS if kind == "PER" else LOC_TOKENS
        for j in range(start, min(n, start + length)):
            toks[j] = rng.choice(pool)
            tags[j] = LABELS.index(("B-" if j == start else "I-") + kind)
    return toks, tags


class TaggingData(Dataset):
    def __init__(self, n, annotated_fraction, seed):
        rng = random.Random(seed)
        self.items = []
        for _ in range(n):
            toks, tags = make_sentence(rng)
            annotated = rng.random() < annotated_fraction
            ids = [CLS] + toks + [SEP]
            labels = [-100] + (tags if annotated else [-100] * len(tags)) + [-100]
            pad = MAX_LEN - len(ids)
            self.items.append({
                "input_ids": torch.tensor(ids + [PAD] * pad),
                "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
                "labels": torch.tensor(labels + [-100] * pad),
            })

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


TAG_WEIGHTS = torch.tensor([0.2, 1.0, 1.0, 1.0, 1.0])


def weighted_tag_loss(outputs, labels, num_items_in_batch=None):
    logits = outputs.logits
    mask = (labels != -100).float()
    ce = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        labels.clamp(min=0).reshape(-1),
        weight=TAG_WEIGHTS,
        reduction="none",
    )
    return (ce * mask.reshape(-1)).sum() / mask.sum()


def main():
    set_seed(0)
    train_ds = TaggingData(400, args.annotated_fraction, seed=0)
    eval_ds = TaggingData(64, 1.0, seed=1)

    config = BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_LEN,
        num_labels=len(LABELS),
    )
    model = BertForTokenClassification(config)

    training_args = TrainingArguments(
        output_dir=tempfile.mkdtemp(),
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=32,
        learning_rate=args.lr,
        max_steps=args.max_steps,
        logging_steps=5,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        compute_loss_func=weighted_tag_loss,
    )
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
