import numpy as np
import torch
from torch import nn
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments
from transformers.modeling_outputs import SequenceClassifierOutput


class EnergyConfig(PretrainedConfig):
    model_type = "energy_mlp"

    def __init__(self, n_features=12, hidden_size=64, n_layers=2, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.n_features = n_features
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.dropout = dropout


class EnergyRegressor(PreTrainedModel):
    config_class = EnergyConfig

    def __init__(self, config):
        super().__init__(config)
        layers = []
        d = config.n_features
        for _ in range(config.n_layers):
            layers += [nn.Linear(d, config.hidden_size), nn.GELU(), nn.Dropout(config.dropout)]
            d = config.hidden_size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 1)
        self.post_init()

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, features=None, labels=None, **kwargs):
        pred = self.head(self.body(features)).squeeze(-1)
        loss = None
        if labels is not None:
            loss = nn.functional.smooth_l1_loss(pred, labels)
        return SequenceClassifierOutput(loss=loss, logits=pred)


def make_building_table(n_rows, seed):
    rng = np.random.default_rng(seed)
    temp = rng.normal(15, 8, n_rows)
    humidity = rng.uniform(20, 90, n_rows)
    occupancy = rng.poisson(40, n_rows).astype(float)
    floor_area = rng.uniform(500, 5000, n_rows)
    hour = rng.integers(0, 24, n_rows).astype(float)
    weekday = rng.integers(0, 7, n_rows).astype(float)
    solar = np.clip(rng.normal(300, 150, n_rows), 0, None)
    wind = rng.gamma(2.0, 2.0, n_rows)
    # site metadata columns from the building registry
    n_floors = rng.integers(2, 12, n_rows).astype(float)
    year_built = rng.integers(1960, 2020, n_rows).astype(float)
    hvac_type = np.full(n_rows, 3.0)
    meter_version = np.full(n_rows, 2.0)
    X = np.stack([temp, humidity, occupancy, floor_area, hour, weekday, solar, wind,
                  n_floors, year_built, hvac_type, meter_version], axis=1)
    y = (0.02 * floor_area + 3.0 * np.abs(temp - 18) + 0.5 * occupancy
         - 0.01 * solar + rng.normal(0, 5, n_rows))
    return X.astype(np.float32), y.astype(np.float32)


class MeterDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


def main():
    torch.manual_seed(0)
    X_train, y_train = make_building_table(2048, seed=1)
    X_val, y_val = make_building_table(256, seed=2)

    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    X_train = (X_train - mu) / sigma
    X_val = (X_val - mu) / sigma
    y_mu, y_sd = y_train.mean(), y_train.std()
    y_train = (y_train - y_mu) / y_sd
    y_val = (y_val - y_mu) / y_sd

    config = EnergyConfig(n_features=X_train.shape[1])
    model = EnergyRegressor(config)

    args = TrainingArguments(
        output_dir="runs/energy",
        per_device_train_batch_size=64,
        per_device_eval_batch_size=128,
        learning_rate=3e-4,
        max_steps=40,
        logging_steps=5,
        eval_strategy="steps",
        eval_steps=20,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args,
                      train_dataset=MeterDataset(X_train, y_train),
                      eval_dataset=MeterDataset(X_val, y_val))
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
