import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

PAD, BOS, EOS = 0, 1, 2
VOCAB = 64


class CommandCorpus(Dataset):
    """Short shell-like command sequences with a fixed grammar; blank history lines are kept."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.samples = []
        for _ in range(n):
            if torch.rand(1, generator=g).item() < 0.06:
                self.samples.append(torch.tensor([], dtype=torch.long))
                continue
            verb = int(torch.randint(3, 8, (1,), generator=g))
            args = [10 + (verb * 7 + k * 3) % 40 for k in range(verb - 1)]
            self.samples.append(torch.tensor([BOS, verb] + args + [EOS]))

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return {"input_ids": self.samples[i]}


def collate(features):
    max_len = max(max(len(f["input_ids"]) for f in features), 1)
    ids = torch.full((len(features), max_len), PAD, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, f in enumerate(features):
        ids[i, : len(f["input_ids"])] = f["input_ids"]
        mask[i, : len(f["input_ids"])] = 1
    labels = ids.masked_fill(mask == 0, -100)
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def main():
    set_seed(0)
    config = GPT2Config(vocab_size=VOCAB, n_positions=32, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    model = GPT2LMHeadModel(config)
    args = TrainingArguments(
        output_dir="/tmp/tiny-gpt2-commands",
        per_device_train_batch_size=32,
        learning_rate=5e-3,
        warmup_steps=5,
        max_steps=60,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=30,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=CommandCorpus(2000, seed=1),
                      eval_dataset=CommandCorpus(200, seed=2), data_collator=collate)
    trainer.train()
    metrics = trainer.evaluate()
    print("eval perplexity", torch.exp(torch.tensor(metrics["eval_loss"])).item())


if __name__ == "__main__":
    main()
