import argparse

import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed


class VibrationWindows(torch.utils.data.Dataset):
    def __init__(self, n_windows=512, window=40, seed=0):
        g = torch.Generator().manual_seed(seed)
        base = torch.randn(n_windows, 1, generator=g) * 3.0
        t = torch.linspace(0, 6.28, window)
        freq = torch.rand(n_windows, 1, generator=g) * 4 + 1
        self.signals = base + torch.sin(freq * t) + 0.1 * torch.randn(n_windows, window, generator=g)
        idle = [37, 205, 388]
        self.signals[idle] = -0.7
        self.targets = (freq.squeeze(1) - 3.0) / 1.5
        self.targets[idle] = 0.0

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        return {"signal": self.signals[i], "labels": self.targets[i]}


class WindowStandardize(nn.Module):
    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = (x * x).mean(dim=-1, keepdim=True) - mean * mean
        std = var.sqrt()
        return (x - mean) / (std + 1e-6)


class FrequencyRegressor(nn.Module):
    def __init__(self, window=40, hidden=64):
        super().__init__()
        self.norm = WindowStandardize()
        self.net = nn.Sequential(
            nn.Linear(window, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 1)
        )
        self.loss_fn = nn.MSELoss()

    def forward(self, signal, labels=None):
        pred = self.net(self.norm(signal)).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = self.loss_fn(pred, labels)
        return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    set_seed(0)
    model = FrequencyRegressor()
    train_ds = VibrationWindows()

    training_args = TrainingArguments(
        output_dir="vibration_out",
        max_steps=args.steps,
        per_device_train_batch_size=args.batch_size,
        learning_rate=args.lr,
        logging_steps=5,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=training_args, train_dataset=train_ds)
    trainer.train()
    for h in trainer.state.log_history:
        print(h)


if __name__ == "__main__":
    main()
