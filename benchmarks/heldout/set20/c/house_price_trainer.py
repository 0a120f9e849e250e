import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments


def make_listings(n, seed=7):
    rng = np.random.default_rng(seed)
    sqft = rng.uniform(600, 4200, n)
    bedrooms = rng.integers(1, 6, n).astype(np.float64)
    year_built = rng.integers(1920, 2022, n).astype(np.float64)
    lot_size = rng.uniform(1500, 20000, n)
    dist_to_city = rng.uniform(0.5, 40.0, n)
    price = (
        140.0 * sqft
        + 9000.0 * bedrooms
        + 450.0 * (year_built - 1900)
        + 3.0 * lot_size
        - 2500.0 * dist_to_city
        + rng.normal(0, 15000, n)
    )
    X = np.stack([sqft, bedrooms, year_built, lot_size, dist_to_city], axis=1).astype(np.float32)
    return X, price.astype(np.float32)


class ListingsDataset(Dataset):
    def __init__(self, X, y):
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class PriceRegressor(nn.Module):
    def __init__(self, n_features, hidden=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        self.loss_fn = nn.MSELoss()

    def forward(self, features, labels=None):
        preds = self.net(features).squeeze(-1)
        out = {"logits": preds}
        if labels is not None:
            out["loss"] = self.loss_fn(preds, labels)
        return out


def main():
    torch.manual_seed(0)
    X, y = make_listings(2048)
    n_train = 1792
    train_ds = ListingsDataset(X[:n_train], y[:n_train])
    eval_ds = ListingsDataset(X[n_train:], y[n_train:])

    model = PriceRegressor(X.shape[1])
    args = TrainingArguments(
        output_dir="./price_out",
        optim="sgd",
        learning_rate=1e-6,
        per_device_train_batch_size=64,
        per_device_eval_batch_size=128,
        num_train_epochs=2,
        max_grad_norm=0.0,
        lr_scheduler_type="constant",
        logging_steps=5,
        eval_strategy="epoch",
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds)
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
