import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

FEATURES = ["sqft", "bedrooms", "bathrooms", "year_built", "floors", "lot_size", "dist_center"]


def make_listings(n, seed=0):
    rng = np.random.default_rng(seed)
    sqft = rng.normal(900, 250, n).clip(300, None)
    bedrooms = rng.integers(1, 5, n).astype(np.float64)
    bathrooms = rng.integers(1, 3, n).astype(np.float64)
    year = rng.integers(1950, 2022, n).astype(np.float64)
    floors = np.ones(n)
    lot = rng.normal(0.0, 1.0, n) * 50 + 400
    dist = rng.exponential(5.0, n)
    X = np.stack([sqft, bedrooms, bathrooms, year, floors, lot, dist], axis=1)
    price = 150 * sqft + 10000 * bedrooms + 8000 * bathrooms - 3000 * dist + rng.normal(0, 20000, n)
    return X.astype(np.float32), (price / 1e5).astype(np.float32)


class ListingDataset(Dataset):
    def __init__(self, X, y, stats=None):
        if stats is None:
            stats = (X.mean(axis=0), X.std(axis=0))
        self.stats = stats
        mean, std = stats
        self.X = torch.from_numpy((X - mean) / std)
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class PriceRegressor(nn.Module):
    def __init__(self, n_in, hidden=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )
        self.loss_fn = nn.SmoothL1Loss()

    def forward(self, features, labels=None):
        pred = self.net(features).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = self.loss_fn(pred, labels)
        return out


def main():
    set_seed(0)
    X, y = make_listings(640)
    train_ds = ListingDataset(X[:512], y[:512])
    eval_ds = ListingDataset(X[512:], y[512:], stats=train_ds.stats)
    model = PriceRegressor(len(FEATURES))
    args = TrainingArguments(
        output_dir="/tmp/house_price_run",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=64,
        learning_rate=3e-3,
        max_steps=40,
        logging_steps=5,
        eval_strategy="steps",
        eval_steps=20,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds)
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
