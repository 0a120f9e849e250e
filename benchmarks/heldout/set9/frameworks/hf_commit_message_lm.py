import random
import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

VOCAB = 128
PAD, BOS, EOS = 0, 1, 2


class CommitMessages(Dataset):
    def __init__(self, n=256, seed=0):
        rng = random.Random(seed)
        verbs = [list(range(10 + 4 * k, 14 + 4 * k)) for k in range(6)]
        self.samples = []
        for _ in range(n):
            v = rng.choice(verbs)
            body = [rng.randint(40, VOCAB - 1) for _ in range(rng.randint(3, 28))]
            self.samples.append([BOS] + v + body + [EOS])

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return self.samples[i]


def left_pad_collate(batch):
    width = max(len(s) for s in batch)
    ids = torch.full((len(batch), width), PAD, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for r, s in enumerate(batch):
        ids[r, width - len(s):] = torch.tensor(s)
        mask[r, width - len(s):] = 1
    labels = ids.masked_fill(mask == 0, -100)
    position_ids = (mask.cumsum(-1) - 1).clamp(min=0)
    return {"input_ids": ids, "attention_mask": mask, "position_ids": position_ids, "labels": labels}


def main():
    set_seed(0)
    config = GPT2Config(vocab_size=VOCAB, n_positions=64, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    model = GPT2LMHeadModel(config)
    args = TrainingArguments(
        output_dir="/tmp/commit_message_lm",
        per_device_train_batch_size=16,
        learning_rate=2e-3,
        max_steps=60,
        logging_steps=10,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
        remove_unused_columns=False,
    )
    trainer = Trainer(model=model, args=args, train_dataset=CommitMessages(), data_collator=left_pad_collate)
    trainer.train()


if __name__ == "__main__":
    main()
