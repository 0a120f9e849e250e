import random

import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    DataCollatorWithPadding,
    Trainer,
    TrainingArguments,
    set_seed,
)

VOCAB = 200
PAD_ID = 0
INTENT_TOKENS = {0: 11, 1: 23, 2: 37}


def make_tickets(n=384, seed=7):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.randrange(3)
        length = rng.choice([1, 2, 3, 8, 16, 24, 31])
        ids = [rng.randrange(50, VOCAB) for _ in range(length)]
        ids[rng.randrange(length)] = INTENT_TOKENS[label]
        ids = [2] + ids + [3]
        rows.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": label})
    return rows


class SimpleTokenizerStub:
    pad_token_id = PAD_ID
    padding_side = "right"
    model_input_names = ["input_ids", "attention_mask"]

    def pad(self, features, padding=True, max_length=None, pad_to_multiple_of=None, return_tensors="pt", **kw):
        longest = max(len(f["input_ids"]) for f in features)
        if pad_to_multiple_of:
            longest = ((longest + pad_to_multiple_of - 1) // pad_to_multiple_of) * pad_to_multiple_of
        batch = {"input_ids": [], "attention_mask": [], "labels": []}
        for f in features:
            extra = longest - len(f["input_ids"])
            batch["input_ids"].append(f["input_ids"] + [PAD_ID] * extra)
            batch["attention_mask"].append(f["attention_mask"] + [0] * extra)
            batch["labels"].append(f["labels"])
        return {k: torch.tensor(v) for k, v in batch.items()}


def main():
    set_seed(3)
    config = BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=3,
        pad_token_id=PAD_ID,
    )
    model = BertForSequenceClassification(config)
    train_rows = make_tickets()
    eval_rows = make_tickets(n=64, seed=99)

    args = TrainingArguments(
        output_dir="intent_runs",
        max_steps=120,
        per_device_train_batch_size=16,
        per_device_eval_batch_size=32,
        learning_rate=2e-3,
        warmup_steps=10,
        weight_decay=0.0,
        logging_steps=10,
        eval_strategy="steps",
        eval_steps=60,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=3,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_rows,
        eval_dataset=eval_rows,
        data_collator=DataCollatorWithPadding(SimpleTokenizerStub(), pad_to_multiple_of=8),
    )
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
