import math
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, train_loader, val_loader, lr=1e-3, max_epochs=4,
                 init_loss_scale=2.0 ** 32, clip=1.0, log_every=10):
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.max_epochs = max_epochs
        self.clip = clip
        self.log_every = log_every
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            self.optimizer, T_max=max_epochs * len(train_loader))
        self.scaler = torch.amp.GradScaler("cpu", init_scale=init_loss_scale)
        self.criterion = nn.CrossEntropyLoss()
        self.global_step = 0

    def training_step(self, batch):
        x, y = batch
        with torch.autocast("cpu", dtype=torch.float16):
            logits = self.model(x)
            loss = self.criterion(logits, y)
        return loss

    def fit(self):
        for epoch in range(self.max_epochs):
            self.model.train()
            t0 = time.time()
            for batch in self.train_loader:
                loss = self.training_step(batch)
                self.optimizer.zero_grad(set_to_none=True)
                self.scaler.scale(loss).backward()
                self.scaler.unscale_(self.optimizer)
                grad_norm = nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
                scale_before = self.scaler.get_scale()
                self.scaler.step(self.optimizer)
                self.scaler.update()
                self.scheduler.step()
                if self.global_step % self.log_every == 0 or not math.isfinite(grad_norm.item()):
                    print(f"step {self.global_step:4d} loss {loss.item():.4f} grad_norm {grad_norm.item():.3e} "
                          f"scale {scale_before:.3e}")
                self.global_step += 1
            print(f"epoch {epoch} val_acc {self.evaluate():.3f} ({time.time() - t0:.1f}s)")

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        correct = total = 0
        for x, y in self.val_loader:
            with torch.autocast("cpu", dtype=torch.float16):
                pred = self.model(x).argmax(-1)
            correct += (pred == y).sum().item()
            total += y.numel()
        return correct / total


def make_covertype_like(n=6000, d=54, classes=7, seed=0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(classes, d, generator=g) * 1.5
    y = torch.randint(0, classes, (n,), generator=g)
    x = centers[y] + torch.randn(n, d, generator=g)
    return x, y


def main():
    torch.manual_seed(0)
    x, y = make_covertype_like()
    train = TensorDataset(x[:5000], y[:5000])
    val = TensorDataset(x[5000:], y[5000:])
    model = nn.Sequential(
        nn.Linear(54, 256), nn.LayerNorm(256), nn.SiLU(),
        nn.Linear(256, 256), nn.LayerNorm(256), nn.SiLU(),
        nn.Linear(256, 7),
    )
    trainer = Trainer(model,
                      DataLoader(train, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(0)),
                      DataLoader(val, batch_size=512))
    trainer.fit()


if __name__ == "__main__":
    main()
