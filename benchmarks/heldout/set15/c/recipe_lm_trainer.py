import random

import torch
from torch.utils.data import Dataset
from transformers import LlamaConfig, LlamaForCausalLM, Trainer, TrainingArguments, set_seed

PAD, BOS, EOS = 0, 1, 2
SEQ_LEN = 24


def build_corpus(n, seed=0):
    rng = random.Random(seed)
    templates = [
        [10, 11, 12, 13, 14, 15, 16],
        [20, 21, 22, 23, 24],
        [30, 31, 32, 33, 34, 35, 36, 37, 38],
        [40, 41, 42, 43],
    ]
    corpus = []
    for _ in range(n):
        t = rng.choice(templates)
        reps = rng.randint(1, 2)
        corpus.append([BOS] + t * reps + [EOS])
    return corpus


class PackedRecipes(Dataset):
    def __init__(self, corpus):
        self.items = []
        for seq in corpus:
            seq = seq[:SEQ_LEN]
            n_pad = SEQ_LEN - len(seq)
            ids = torch.tensor([PAD] * n_pad + seq)
            mask = torch.tensor([0] * n_pad + [1] * len(seq))
            labels = ids.clone()
            labels[mask == 0] = -100
            self.items.append({"input_ids": ids, "attention_mask": mask, "labels": labels})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def main():
    set_seed(0)
    config = LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        pad_token_id=PAD,
        bos_token_id=BOS,
        eos_token_id=EOS,
    )
    model = LlamaForCausalLM(config)
    ds = PackedRecipes(build_corpus(256))
    args = TrainingArguments(
        output_dir="/tmp/recipe_lm_run",
        per_device_train_batch_size=32,
        learning_rate=1e-2,
        lr_scheduler_type="constant",
        max_steps=30,
        logging_steps=10,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=ds)
    trainer.train()
    model.eval()
    with torch.no_grad():
        batch = ds[3]
        out = model(input_ids=batch["input_ids"][None], attention_mask=batch["attention_mask"][None])
        print("max logit", out.logits.max().item(), "min logit", out.logits.min().item())


if __name__ == "__main__":
    main()
