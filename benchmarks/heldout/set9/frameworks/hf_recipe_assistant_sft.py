import random
import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

VOCAB = 96
BOS, SEP, EOS, PAD = 1, 2, 3, 0
MAX_LEN = 64


def make_conversations(n=160, seed=0):
    rng = random.Random(seed)
    convs = []
    for i in range(n):
        if rng.random() < 0.04:
            prompt_len = rng.randint(70, 90)
        else:
            prompt_len = rng.randint(12, 36)
        prompt = [rng.randint(4, VOCAB - 1) for _ in range(prompt_len)]
        key = prompt[0]
        answer = [4 + (key + k) % (VOCAB - 4) for k in range(rng.randint(6, 14))]
        convs.append((prompt, answer))
    return convs


class InstructionDataset(Dataset):
    def __init__(self, conversations, max_len=MAX_LEN):
        self.examples = []
        for prompt, answer in conversations:
            ids = [BOS] + prompt + [SEP] + answer + [EOS]
            labels = [-100] * (len(prompt) + 2) + answer + [EOS]
            ids, labels = ids[:max_len], labels[:max_len]
            self.examples.append((ids, labels))

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, i):
        ids, labels = self.examples[i]
        return {
            "input_ids": torch.tensor(ids),
            "attention_mask": torch.ones(len(ids), dtype=torch.long),
            "labels": torch.tensor(labels),
        }


def main():
    set_seed(0)
    train_ds = InstructionDataset(make_conversations())
    config = GPT2Config(vocab_size=VOCAB, n_positions=128, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    model = GPT2LMHeadModel(config)
    args = TrainingArguments(
        output_dir="/tmp/recipe_assistant_sft",
        per_device_train_batch_size=1,
        learning_rate=1e-3,
        max_steps=60,
        logging_steps=10,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds)
    trainer.train()


if __name__ == "__main__":
    main()
