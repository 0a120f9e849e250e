import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments

WINDOW = 14


class DemandConfig(PretrainedConfig):
    model_type = "demand_mlp"

    def __init__(self, window=14, n_calendar=3, hidden_size=48, **kwargs):
        super().__init__(**kwargs)
        self.window = window
        self.n_calendar = n_calendar
        self.hidden_size = hidden_size


class DemandForecaster(PreTrainedModel):
    config_class = DemandConfig

    def __init__(self, config):
        super().__init__(config)
        self.encoder = nn.Sequential(
            nn.Linear(config.window + config.n_calendar, config.hidden_size),
            nn.GELU(),
            nn.Linear(config.hidden_size, config.hidden_size),
            nn.GELU(),
        )
        self.head = nn.Linear(config.hidden_size, 1)
        self.post_init()

    def forward(self, history, calendar):
        scale = history.mean(dim=1, keepdim=True).clamp_min(1.0)
        h = self.encoder(torch.cat([history / scale, calendar], dim=1))
        return {"logits": self.head(h).squeeze(-1) * scale.squeeze(-1)}


def build_series(n_days=900, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(n_days)
    weekly = 1.0 + 0.3 * np.sin(2 * np.pi * t / 7)
    yearly = 1.0 + 0.2 * np.sin(2 * np.pi * t / 365)
    sales = rng.poisson(120 * weekly * yearly).astype(np.float32)
    closed = [358, 359, 723, 724]
    sales[closed] = 0.0
    return sales


class DemandWindows(Dataset):
    def __init__(self, sales):
        self.sales = torch.from_numpy(sales)
        self.n = len(sales) - WINDOW

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        day = i + WINDOW
        calendar = torch.tensor(
            [np.sin(2 * np.pi * day / 7), np.cos(2 * np.pi * day / 7), np.sin(2 * np.pi * day / 365)],
            dtype=torch.float32,
        )
        return {"history": self.sales[i:day], "calendar": calendar, "labels": self.sales[day]}


class MAPETrainer(Trainer):
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        preds = outputs["logits"]
        loss = (torch.abs(labels - preds) / torch.abs(labels)).mean()
        return (loss, outputs) if return_outputs else loss


def main():
    torch.manual_seed(0)
    sales = build_series()
    train_ds = DemandWindows(sales)
    model = DemandForecaster(DemandConfig())
    args = TrainingArguments(
        output_dir="./demand_out",
        per_device_train_batch_size=32,
        learning_rate=1e-3,
        num_train_epochs=2,
        warmup_steps=5,
        logging_steps=5,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        remove_unused_columns=False,
    )
    trainer = MAPETrainer(model=model, args=args, train_dataset=train_ds)
    trainer.train()


if __name__ == "__main__":
    main()
