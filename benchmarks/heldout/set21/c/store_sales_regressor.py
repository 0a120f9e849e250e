import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments

FEATURES = ["price", "promo_depth", "shelf_space", "temperature", "is_holiday", "competitor_price", "footfall"]


def make_store_frame(n_rows, seed):
    rng = np.random.default_rng(seed)
    price = rng.uniform(1.5, 9.0, n_rows)
    promo = rng.choice([0.0, 0.1, 0.2, 0.3], n_rows)
    shelf = rng.uniform(0.5, 3.0, n_rows)
    temp = rng.normal(18.0, 6.0, n_rows)
    holiday = np.zeros(n_rows)
    comp = price * rng.uniform(0.8, 1.2, n_rows)
    footfall = rng.poisson(400, n_rows).astype(float)
    X = np.stack([price, promo, shelf, temp, holiday, comp, footfall], axis=1)
    y = 50 - 3.0 * price + 40 * promo + 5 * shelf + 0.05 * footfall + rng.normal(0, 2, n_rows)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


class StoreDataset(Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class SalesMLP(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
                                 nn.Linear(hidden, 1))

    def forward(self, features, labels=None):
        pred = self.net(features).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = nn.functional.mse_loss(pred, labels)
        return out


def main():
    torch.manual_seed(0)
    X, y = make_store_frame(512, seed=3)
    mean, std = X.mean(dim=0), X.std(dim=0)
    X = (X - mean) / std
    y = (y - y.mean()) / y.std()
    split = 448
    train_ds, eval_ds = StoreDataset(X[:split], y[:split]), StoreDataset(X[split:], y[split:])
    model = SalesMLP(len(FEATURES))
    args = TrainingArguments(
        output_dir="sales_out",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=64,
        num_train_epochs=2,
        learning_rate=1e-3,
        weight_decay=0.01,
        logging_steps=4,
        eval_strategy="epoch",
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
        label_names=["labels"],
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds)
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
