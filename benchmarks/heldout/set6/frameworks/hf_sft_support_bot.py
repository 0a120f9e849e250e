"""Supervised fine-tuning of a tiny GPT-2 on support-ticket -> reply pairs.

Only the reply tokens are trained on (the ticket text is context), which is the
usual completion-only SFT recipe. Tickets arrive pre-tokenised from the help
desk export.
"""
import argparse
import logging
import tempfile

import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("sft")

VOCAB = 128
PAD_ID = 0
SEP_ID = 1
EOS_ID = 2
MAX_LENGTH = 40
IGNORE = -100


def load_tickets(n, seed):
    g = torch.Generator().manual_seed(seed)
    pairs = []
    for _ in range(n):
        if float(torch.rand(1, generator=g)) < 0.2:
            prompt_len = int(torch.randint(44, 90, (1,), generator=g))
        else:
            prompt_len = int(torch.randint(6, 20, (1,), generator=g))
        prompt = torch.randint(3, 64, (prompt_len,), generator=g)
        topic = int(prompt[0]) % 8
        reply_len = int(torch.randint(4, 12, (1,), generator=g))
        reply = (64 + topic * 8 + torch.arange(reply_len) % 8).clamp(max=VOCAB - 1)
        pairs.append((prompt.tolist(), reply.tolist()))
    return pairs


class SFTDataset(Dataset):
    def __init__(self, pairs, max_length=MAX_LENGTH):
        self.examples = []
        for prompt, reply in pairs:
            ids = prompt + [SEP_ID] + reply + [EOS_ID]
            labels = [IGNORE] * (len(prompt) + 1) + reply + [EOS_ID]
            ids, labels = ids[:max_length], labels[:max_length]
            self.examples.append((ids, labels))

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, idx):
        ids, labels = self.examples[idx]
        return {"input_ids": ids, "labels": labels}


def collate(features):
    width = max(len(f["input_ids"]) for f in features)
    input_ids, attention_mask, labels = [], [], []
    for f in features:
        pad = width - len(f["input_ids"])
        input_ids.append(f["input_ids"] + [PAD_ID] * pad)
        attention_mask.append([1] * len(f["input_ids"]) + [0] * pad)
        labels.append(f["labels"] + [IGNORE] * pad)
    return {
        "input_ids": torch.tensor(input_ids),
        "attention_mask": torch.tensor(attention_mask),
        "labels": torch.tensor(labels),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-steps", type=int, default=60)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=2)
    args = parser.parse_args()

    set_seed(3)
    train_ds = SFTDataset(load_tickets(240, seed=21))
    n_tokens = sum(sum(1 for t in lab if t != IGNORE) for _, lab in train_ds.examples)
    log.info("examples=%d supervised_tokens=%d", len(train_ds), n_tokens)

    config = GPT2Config(
        vocab_size=VOCAB,
        n_positions=64,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=EOS_ID,
        eos_token_id=EOS_ID,
        pad_token_id=PAD_ID,
    )
    model = GPT2LMHeadModel(config)

    with tempfile.TemporaryDirectory() as out_dir:
        targs = TrainingArguments(
            output_dir=out_dir,
            per_device_train_batch_size=args.batch_size,
            learning_rate=args.lr,
            max_steps=args.max_steps,
            logging_steps=5,
            save_strategy="no",
            report_to=[],
            use_cpu=True,
            seed=3,
            disable_tqdm=True,
            remove_unused_columns=False,
        )
        trainer = Trainer(model=model, args=targs, train_dataset=train_ds, data_collator=collate)
        trainer.train()
        sample = torch.tensor([[5, 9, 13, 22, SEP_ID]])
        out = model.generate(sample, max_new_tokens=6, do_sample=False, pad_token_id=PAD_ID)
        log.info("sample reply ids: %s", out[0, sample.shape[1]:].tolist())


if __name__ == "__main__":
    main()
