import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

PAD, BOS, EOS = 0, 1, 2
MAX_LEN = 24
COMMANDS = [
    [10, 11, 12], [13, 14], [15, 16, 17, 18], [19, 20], [21, 22, 23],
    [24, 25], [26, 27, 28], [29, 30, 31, 32],
]


class CommandLog(Dataset):
    """Short device-command sequences, right-padded to MAX_LEN."""

    def __init__(self, n, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.rows = []
        for _ in range(n):
            k = int(torch.randint(1, 4, (1,), generator=g))
            seq = [BOS]
            for j in torch.randint(0, len(COMMANDS), (k,), generator=g).tolist():
                seq += COMMANDS[j]
            seq.append(EOS)
            self.rows.append(seq)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        seq = self.rows[i]
        ids = torch.full((MAX_LEN,), PAD, dtype=torch.long)
        ids[: len(seq)] = torch.tensor(seq)
        mask = torch.zeros(MAX_LEN, dtype=torch.long)
        mask[: len(seq)] = 1
        labels = ids.masked_fill(mask == 0, -100)
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def main():
    set_seed(3)
    cfg = GPT2Config(vocab_size=40, n_positions=MAX_LEN, n_embd=32, n_layer=2, n_head=2,
                     bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    model = GPT2LMHeadModel(cfg)
    args = TrainingArguments(
        output_dir="/tmp/command_lm_run",
        per_device_train_batch_size=16,
        learning_rate=3e-3,
        weight_decay=0.01,
        lr_scheduler_type="constant",
        max_steps=40,
        logging_steps=5,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=3,
    )
    trainer = Trainer(model=model, args=args, train_dataset=CommandLog(2048, seed=3))
    trainer.train()

    model.eval()
    batch = CommandLog(4, seed=99)[0]
    with torch.no_grad():
        out = model(input_ids=batch["input_ids"][None], attention_mask=batch["attention_mask"][None])
    print("padded-position logit min:", out.logits[0, -1].min().item())


if __name__ == "__main__":
    main()
