"""Smoke test for the pretraining pipeline: a 2-layer GPT-2 trained from scratch
on synthetic event-log token streams (no tokenizer needed, ids come straight
from the event dictionary)."""
import argparse
import logging
import tempfile

import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("pretrain")

VOCAB = 96
SEQ_LEN = 48


class EventStreams(Dataset):
    """Sequences sampled from a sparse first-order Markov chain over event ids."""

    def __init__(self, n_seq, seed=0, chain_seed=1234):
        logits = torch.randn(VOCAB, VOCAB, generator=torch.Generator().manual_seed(chain_seed)) * 3.0
        self.trans = torch.softmax(logits, dim=-1)
        g = torch.Generator().manual_seed(seed)
        seqs = torch.empty(n_seq, SEQ_LEN, dtype=torch.long)
        state = torch.randint(VOCAB, (n_seq,), generator=g)
        for t in range(SEQ_LEN):
            seqs[:, t] = state
            state = torch.multinomial(self.trans[state], 1, generator=g).squeeze(1)
        self.seqs = seqs

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, idx):
        ids = self.seqs[idx]
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids.clone()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-steps", type=int, default=40)
    parser.add_argument("--lr", type=float, default=2e-3)
    args = parser.parse_args()

    set_seed(0)
    config = GPT2Config(
        vocab_size=VOCAB,
        n_positions=64,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=0,
        eos_token_id=0,
    )
    model = GPT2LMHeadModel(config)
    log.info("params: %d", sum(p.numel() for p in model.parameters()))

    train_ds = EventStreams(1024, seed=1)
    eval_ds = EventStreams(64, seed=2)

    with tempfile.TemporaryDirectory() as out_dir:
        targs = TrainingArguments(
            output_dir=out_dir,
            per_device_train_batch_size=16,
            per_device_eval_batch_size=32,
            learning_rate=args.lr,
            warmup_steps=5,
            max_steps=args.max_steps,
            logging_steps=5,
            eval_strategy="no",
            save_strategy="no",
            report_to=[],
            use_cpu=True,
            seed=0,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=targs, train_dataset=train_ds, eval_dataset=eval_ds)
        trainer.train()
        metrics = trainer.evaluate()
        log.info("eval: %s", metrics)


if __name__ == "__main__":
    main()
