import numpy as np
import torch
from torch import nn
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments
from transformers.modeling_outputs import SequenceClassifierOutput


class TabularConfig(PretrainedConfig):
    model_type = "tabular-mlp"

    def __init__(self, n_features=6, hidden_size=64, n_layers=2, **kwargs):
        super().__init__(**kwargs)
        self.n_features = n_features
        self.hidden_size = hidden_size
        self.n_layers = n_layers


class TabularRegressor(PreTrainedModel):
    config_class = TabularConfig

    def __init__(self, config):
        super().__init__(config)
        layers = []
        d = config.n_features
        for _ in range(config.n_layers):
            layers += [nn.Linear(d, config.hidden_size), nn.ReLU()]
            d = config.hidden_size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 1)
        self.post_init()

    def forward(self, features=None, labels=None, **kwargs):
        pred = self.head(self.body(features)).squeeze(-1)
        loss = None
        if labels is not None:
            loss = nn.functional.mse_loss(pred, labels)
        return SequenceClassifierOutput(loss=loss, logits=pred)


class HouseDataset(torch.utils.data.Dataset):
    def __init__(self, n=512, seed=0):
        rng = np.random.default_rng(seed)
        sqft = rng.uniform(600, 4200, n)
        lot = rng.uniform(2000, 20000, n)
        year = rng.integers(1920, 2022, n).astype(np.float64)
        beds = rng.integers(1, 6, n).astype(np.float64)
        baths = rng.integers(1, 4, n).astype(np.float64)
        dist = rng.uniform(0.5, 40.0, n)
        price = 50 * sqft + 2 * lot + 300 * (year - 1900) + 8000 * beds + 12000 * baths - 1500 * dist
        price = price + rng.normal(0, 20000, n)
        self.x = np.stack([sqft, lot, year, beds, baths, dist], axis=1).astype(np.float32)
        self.y = (price / 1e5).astype(np.float32)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": torch.tensor(self.x[i]), "labels": torch.tensor(self.y[i])}


def main():
    torch.manual_seed(0)
    config = TabularConfig(n_features=6, hidden_size=64, n_layers=2)
    model = TabularRegressor(config)
    train_ds = HouseDataset(512, seed=0)
    eval_ds = HouseDataset(128, seed=1)
    args = TrainingArguments(
        output_dir="runs/house_price",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=64,
        learning_rate=1e-3,
        optim="sgd",
        max_grad_norm=0.0,
        lr_scheduler_type="constant",
        max_steps=40,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=20,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        data_seed=0,
        dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds)
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
