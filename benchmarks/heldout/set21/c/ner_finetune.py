import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset
from transformers import BertConfig, BertForTokenClassification, Trainer, TrainingArguments

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
VOCAB = 500
MAX_LEN = 24


class TaggedSentences(Dataset):
    def __init__(self, n, seed=0):
        rng = np.random.default_rng(seed)
        self.items = []
        for i in range(n):
            length = int(rng.integers(8, MAX_LEN - 2))
            ids = [101] + rng.integers(5, VOCAB, size=length).tolist() + [102]
            tags = np.where(rng.random(length) < 0.7, 0, rng.integers(1, len(LABELS), size=length))
            if i % 9 == 5:
                tags[:] = 0
            tags = [-100] + tags.tolist() + [-100]
            pad = MAX_LEN - len(ids)
            self.items.append({
                "input_ids": torch.tensor(ids + [0] * pad),
                "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
                "labels": torch.tensor(tags + [-100] * pad),
            })

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        return self.items[idx]


class EntityFocusTrainer(Trainer):
    def __init__(self, *args, entity_weight=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity_weight = entity_weight

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        logits = outputs.logits
        token_loss = F.cross_entropy(logits.transpose(1, 2), labels.clamp(min=0), reduction="none")
        valid = (labels != -100).float()
        entity = (labels > 0).float()
        base = (token_loss * valid).sum() / valid.sum()
        entity_loss = (token_loss * entity).sum() / entity.sum()
        loss = base + self.entity_weight * entity_loss
        return (loss, outputs) if return_outputs else loss


def main():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=len(LABELS))
    model = BertForTokenClassification(config)
    train_ds = TaggedSentences(40, seed=1)
    args = TrainingArguments(
        output_dir="ner_out",
        per_device_train_batch_size=1,
        max_steps=30,
        learning_rate=5e-4,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = EntityFocusTrainer(model=model, args=args, train_dataset=train_ds, entity_weight=0.5)
    trainer.train()
    w = model.classifier.weight
    print("classifier weight finite:", bool(torch.isfinite(w).all()))


if __name__ == "__main__":
    main()
