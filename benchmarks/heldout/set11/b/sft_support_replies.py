import random

import torch
import torch.nn.functional as F
from transformers import LlamaConfig, LlamaForCausalLM, Trainer, TrainingArguments

MAX_LEN = 64
VOCAB = 256


def encode(text):
    return [b + 2 for b in text.encode("utf-8")][: VOCAB - 2]


class ReplyDataset(torch.utils.data.Dataset):
    def __init__(self, n=96, seed=0):
        rng = random.Random(seed)
        topics = ["refund", "shipping delay", "password reset", "invoice copy", "broken item"]
        self.rows = []
        for i in range(n):
            topic = rng.choice(topics)
            extra = " Please also note my previous ticket." * rng.choice([0, 0, 0, 1])
            prompt = f"Customer #{i}: I need help with a {topic}.{extra} Agent:"
            reply = f" Sure, I can help with the {topic} today."
            self.rows.append((encode(prompt), encode(reply)))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        p, r = self.rows[i]
        ids = (p + r)[:MAX_LEN]
        labels = ([-100] * len(p) + r)[:MAX_LEN]
        return {"input_ids": ids, "labels": labels}


def collate(batch):
    n = max(len(b["input_ids"]) for b in batch)
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    labels = torch.full((len(batch), n), -100, dtype=torch.long)
    mask = torch.zeros(len(batch), n, dtype=torch.long)
    for i, b in enumerate(batch):
        k = len(b["input_ids"])
        ids[i, :k] = torch.tensor(b["input_ids"])
        labels[i, :k] = torch.tensor(b["labels"])
        mask[i, :k] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def token_mean_loss(outputs, labels, num_items_in_batch=None):
    logits = outputs.logits[:, :-1].float()
    targets = labels[:, 1:]
    mask = (targets != -100).float()
    ce = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.clamp(min=0).reshape(-1), reduction="none")
    return (ce * mask.reshape(-1)).sum() / mask.sum()


def main():
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=64)
    model = LlamaForCausalLM(config)
    args = TrainingArguments(output_dir="/tmp/sft_support_replies", per_device_train_batch_size=2,
                             max_steps=14, learning_rate=1e-3, logging_steps=1, report_to=[],
                             save_strategy="no", use_cpu=True, seed=0, dataloader_num_workers=0)
    trainer = Trainer(model=model, args=args, train_dataset=ReplyDataset(), data_collator=collate,
                      compute_loss_func=token_mean_loss)
    trainer.train()


if __name__ == "__main__":
    main()
