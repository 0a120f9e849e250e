import argparse
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def synth_mfcc(n=384, n_mfcc=20, frames=40, n_keywords=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    templates = torch.randn(n_keywords, n_mfcc, frames, generator=g)
    y = torch.randint(0, n_keywords, (n,), generator=g)
    x = templates[y] + 0.8 * torch.randn(n, n_mfcc, frames, generator=g)
    return x, y


class KWSNet(nn.Module):
    def __init__(self, n_mfcc=20, n_keywords=6):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(n_mfcc, 64, 5, padding=2), nn.ReLU(),
            nn.Conv1d(64, 64, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.fc = nn.Linear(64, n_keywords)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


class Trainer:
    def __init__(self, model, lr):
        self.model = model
        self.opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
        self.scaler = torch.amp.GradScaler("cpu")
        self.step_count = 0

    def train_step(self, x, y):
        self.model.train()
        self.opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            logits = self.model(x)
            loss = F.cross_entropy(logits, y)
        self.scaler.scale(loss).backward()
        self.opt.step()
        self.step_count += 1
        return loss.item()

    @torch.no_grad()
    def evaluate(self, x, y):
        self.model.eval()
        with torch.autocast("cpu", dtype=torch.float16):
            pred = self.model(x).argmax(-1)
        return (pred == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description="keyword spotting, mixed precision")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()

    torch.manual_seed(1)
    x, y = synth_mfcc()
    x_val, y_val = synth_mfcc(n=128, seed=1)
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    trainer = Trainer(KWSNet(), args.lr)
    t0 = time.time()
    for epoch in range(args.epochs):
        for xb, yb in loader:
            loss = trainer.train_step(xb, yb)
            print(f"step {trainer.step_count - 1} loss {loss:.4f}")
        print(f"epoch {epoch} val acc {trainer.evaluate(x_val, y_val):.3f} ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
