import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments, set_seed


FEATURES = ["sqft", "lot_size", "bedrooms", "bathrooms", "year_built", "num_floors", "garage_spaces", "dist_to_center"]


def make_listings(n, rng):
    sqft = rng.normal(1800, 450, n)
    lot = rng.normal(6500, 1500, n)
    beds = rng.integers(1, 6, n).astype(np.float64)
    baths = rng.integers(1, 4, n).astype(np.float64)
    year = rng.integers(1950, 2020, n).astype(np.float64)
    floors = np.ones(n)
    garage = rng.integers(0, 3, n).astype(np.float64)
    dist = rng.gamma(2.0, 4.0, n)
    X = np.stack([sqft, lot, beds, baths, year, floors, garage, dist], axis=1)
    price = 50 + 0.12 * sqft + 0.004 * lot + 9 * baths + 0.3 * (year - 1950) - 3.5 * dist + rng.normal(0, 15, n)
    return X.astype(np.float32), price.astype(np.float32)


class ListingDataset(Dataset):
    def __init__(self, X, y):
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


def standardize(train_X, other_X):
    mean = train_X.mean(dim=0)
    std = train_X.std(dim=0)
    return (train_X - mean) / std, (other_X - mean) / std, mean, std


class PriceConfig(PretrainedConfig):
    model_type = "price-mlp"

    def __init__(self, n_features=8, hidden=64, n_layers=3, dropout=0.1, **kw):
        super().__init__(**kw)
        self.n_features = n_features
        self.hidden = hidden
        self.n_layers = n_layers
        self.dropout = dropout


class PriceRegressor(PreTrainedModel):
    config_class = PriceConfig

    def __init__(self, config):
        super().__init__(config)
        layers = []
        d = config.n_features
        for _ in range(config.n_layers):
            layers += [nn.Linear(d, config.hidden), nn.GELU(), nn.Dropout(config.dropout)]
            d = config.hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 1)
        self.post_init()

    def forward(self, features, labels=None):
        pred = self.head(self.body(features)).squeeze(-1)
        loss = None
        if labels is not None:
            loss = nn.functional.mse_loss(pred, labels / 100.0)
        return {"loss": loss, "logits": pred}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--batch-size", type=int, default=32)
    args = p.parse_args()

    set_seed(7)
    rng = np.random.default_rng(7)
    X, y = make_listings(1200, rng)
    tr_X, va_X = torch.from_numpy(X[:1000]), torch.from_numpy(X[1000:])
    tr_X, va_X, _, _ = standardize(tr_X, va_X)
    train_ds = ListingDataset(tr_X.numpy(), y[:1000])
    eval_ds = ListingDataset(va_X.numpy(), y[1000:])

    model = PriceRegressor(PriceConfig(n_features=len(FEATURES)))
    targs = TrainingArguments(
        output_dir="runs/price_mlp",
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=64,
        learning_rate=args.lr,
        weight_decay=0.01,
        max_steps=args.steps,
        warmup_steps=5,
        logging_steps=5,
        eval_strategy="steps",
        eval_steps=20,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        dataloader_num_workers=0,
        seed=7,
    )
    trainer = Trainer(model=model, args=targs, train_dataset=train_ds, eval_dataset=eval_ds)
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
