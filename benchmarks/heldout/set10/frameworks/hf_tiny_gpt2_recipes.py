import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

VOCAB = 200
PAD = 0
MAX_LEN = 20


class RecipeSteps(Dataset):
    """A handful of short instruction sequences, padded to a fixed length."""

    def __init__(self, n_sequences=8, copies=32, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n_sequences):
            length = int(torch.randint(6, MAX_LEN + 1, (1,), generator=g))
            seq = torch.randint(3, VOCAB, (length,), generator=g)
            ids = torch.full((MAX_LEN,), PAD, dtype=torch.long)
            ids[:length] = seq
            mask = (torch.arange(MAX_LEN) < length).long()
            labels = ids.clone()
            labels[mask == 0] = -100
            self.items.append({"input_ids": ids, "attention_mask": mask, "labels": labels})
        self.copies = copies

    def __len__(self):
        return len(self.items) * self.copies

    def __getitem__(self, i):
        return self.items[i % len(self.items)]


def main():
    set_seed(3)
    config = GPT2Config(vocab_size=VOCAB, n_positions=32, n_embd=64, n_layer=2, n_head=4,
                        pad_token_id=PAD, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config)
    args = TrainingArguments(
        output_dir="/tmp/hf_tiny_gpt2_recipes",
        per_device_train_batch_size=16,
        learning_rate=3e-3,
        lr_scheduler_type="constant",
        max_steps=60,
        logging_steps=10,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=3,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=RecipeSteps())
    trainer.train()
    out = model(**{k: v.unsqueeze(0) for k, v in RecipeSteps()[0].items()})
    print("final loss on first sequence", out.loss.item())


if __name__ == "__main__":
    main()
