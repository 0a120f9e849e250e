import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import DistilBertConfig, DistilBertModel, Trainer, TrainingArguments, set_seed

VOCAB = 800
SEQ_LEN = 24


class ListingDataset(Dataset):
    """Tokenized product listings with weekly units sold."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.input_ids = torch.randint(5, VOCAB, (n, SEQ_LEN), generator=g)
        self.input_ids[:, 0] = 1
        popularity = self.input_ids[:, 1:6].float().mean(1) / VOCAB
        base = 3.0 + 2.0 * popularity + 0.45 * torch.randn(n, generator=g)
        self.units = torch.round(torch.exp(base) - 18.0).clamp_min(0.0)

    def __len__(self):
        return len(self.units)

    def __getitem__(self, i):
        return {"input_ids": self.input_ids[i], "attention_mask": torch.ones(SEQ_LEN, dtype=torch.long),
                "labels": self.units[i]}


class SalesRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        config = DistilBertConfig(vocab_size=VOCAB, dim=32, hidden_dim=64, n_layers=2, n_heads=2,
                                  max_position_embeddings=64)
        self.encoder = DistilBertModel(config)
        self.head = nn.Linear(32, 1)

    def forward(self, input_ids, attention_mask, labels=None):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        log_units = self.head(hidden[:, 0]).squeeze(-1) + 3.0
        return {"predictions": torch.exp(log_units)}


class MapeTrainer(Trainer):
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        pred = outputs["predictions"]
        loss = ((pred - labels).abs() / labels).mean()
        return (loss, outputs) if return_outputs else loss


def main():
    set_seed(0)
    train_set = ListingDataset(480, seed=10)
    args = TrainingArguments(
        output_dir="/tmp/sales-regressor",
        per_device_train_batch_size=16,
        learning_rate=1e-3,
        max_steps=15,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
    )
    trainer = MapeTrainer(model=SalesRegressor(), args=args, train_dataset=train_set)
    trainer.train()


if __name__ == "__main__":
    main()
