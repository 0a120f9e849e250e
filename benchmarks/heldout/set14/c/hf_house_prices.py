import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

FEATURES = ["sqft_living", "bedrooms", "bathrooms", "floors", "year_built", "lot_size", "condition"]


def make_listings(n, rng):
    sqft = rng.uniform(600, 4200, n)
    bedrooms = rng.integers(1, 6, n).astype(np.float64)
    bathrooms = rng.integers(1, 4, n).astype(np.float64)
    floors = np.ones(n)
    year = rng.integers(1950, 2020, n).astype(np.float64)
    lot = rng.uniform(2000, 12000, n)
    condition = rng.integers(1, 6, n).astype(np.float64)
    table = np.stack([sqft, bedrooms, bathrooms, floors, year, lot, condition], axis=1)
    price = 120 * sqft + 9000 * bathrooms + 400 * (year - 1950) + 3 * lot + rng.normal(0, 20000, n)
    return table.astype(np.float32), price.astype(np.float32)


class ListingsDataset(Dataset):
    def __init__(self, table, price, stats=None):
        table, price = torch.from_numpy(table), torch.from_numpy(price)
        if stats is None:
            stats = (table.mean(dim=0), table.std(dim=0), price.mean(), price.std())
        self.stats = stats
        mean, std, pmean, pstd = stats
        self.x = (table - mean) / std
        self.y = (price - pmean) / pstd

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.x[i], "labels": self.y[i]}


class PriceRegressor(nn.Module):
    def __init__(self, n_features, hidden=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, features, labels=None):
        pred = self.net(features).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = nn.functional.smooth_l1_loss(pred, labels)
        return out


def main():
    set_seed(7)
    rng = np.random.default_rng(7)
    table, price = make_listings(640, rng)
    train = ListingsDataset(table[:512], price[:512])
    valid = ListingsDataset(table[512:], price[512:], stats=train.stats)

    args = TrainingArguments(
        output_dir="/tmp/house_prices_run",
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
        disable_tqdm=True,
        seed=7,
    )
    trainer = Trainer(model=PriceRegressor(len(FEATURES)), args=args,
                      train_dataset=train, eval_dataset=valid)
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
