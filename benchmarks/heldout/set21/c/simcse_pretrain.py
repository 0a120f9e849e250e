import argparse

import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertModel, Trainer, TrainingArguments


class UnlabeledSentences(Dataset):
    def __init__(self, n, vocab, max_len, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(5, vocab, (n, max_len), generator=g)
        self.ids[:, 0] = 101
        lengths = torch.randint(max_len // 2, max_len, (n,), generator=g)
        self.mask = (torch.arange(max_len)[None, :] < lengths[:, None]).long()
        self.ids = self.ids * self.mask

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i]}


class ContrastiveTrainer(Trainer):
    def __init__(self, *args, temperature=0.05, **kwargs):
        super().__init__(*args, **kwargs)
        self.temperature = temperature

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        ids, mask = inputs["input_ids"], inputs["attention_mask"]
        z1 = model(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]
        z2 = model(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]
        sim = z1 @ z2.T / self.temperature
        exp_sim = torch.exp(sim)
        pos = torch.diagonal(exp_sim)
        loss = -torch.log(pos / exp_sim.sum(dim=1)).mean()
        return (loss, {"sim": sim}) if return_outputs else loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=16)
    opts = parser.parse_args()

    torch.manual_seed(0)
    config = BertConfig(vocab_size=800, hidden_size=48, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=96, max_position_embeddings=64, hidden_dropout_prob=0.1)
    model = BertModel(config, add_pooling_layer=False)
    ds = UnlabeledSentences(256, config.vocab_size, 20, seed=2)
    args = TrainingArguments(
        output_dir="simcse_out",
        per_device_train_batch_size=opts.batch_size,
        max_steps=opts.steps,
        learning_rate=3e-4,
        warmup_steps=2,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
        remove_unused_columns=False,
    )
    trainer = ContrastiveTrainer(model=model, args=args, train_dataset=ds, temperature=opts.temperature)
    trainer.train()


if __name__ == "__main__":
    main()
