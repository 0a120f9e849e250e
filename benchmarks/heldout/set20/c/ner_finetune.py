import argparse

import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForTokenClassification, Trainer, TrainingArguments

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


class SyntheticNERDataset(Dataset):
    def __init__(self, n_sentences, seq_len, vocab_size, seed):
        g = torch.Generator().manual_seed(seed)
        self.input_ids = torch.randint(5, vocab_size // 2, (n_sentences, seq_len), generator=g)
        self.input_ids[:, 0] = 2
        self.input_ids[:, -1] = 3
        self.labels = (self.input_ids % len(TAGS)).long()
        self.labels[:, 0] = -100
        self.labels[:, -1] = -100

    def __len__(self):
        return self.input_ids.shape[0]

    def __getitem__(self, idx):
        ids = self.input_ids[idx]
        return {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "labels": self.labels[idx],
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max_steps", type=int, default=30)
    parser.add_argument("--lr", type=float, default=3e-4)
    args = parser.parse_args()

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=512,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=64,
        num_labels=len(TAGS),
    )
    model = BertForTokenClassification(config)

    train_ds = SyntheticNERDataset(256, 24, config.vocab_size, seed=1)

    training_args = TrainingArguments(
        output_dir="./ner_out",
        per_device_train_batch_size=16,
        learning_rate=args.lr,
        max_steps=args.max_steps,
        adam_epsilon=0.0,
        weight_decay=0.01,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=training_args, train_dataset=train_ds)
    trainer.train()


if __name__ == "__main__":
    main()
