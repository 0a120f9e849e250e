import argparse
import math

import torch
from torch import nn
import torch.nn.functional as F

CLASSES = ["background", "road", "building", "water"]
PALETTE = torch.tensor([
    [0.35, 0.55, 0.25],
    [0.50, 0.50, 0.50],
    [0.75, 0.30, 0.25],
    [0.15, 0.30, 0.80],
])


def make_tiles(n, size, gen, allowed):
    masks = torch.zeros(n, size, size, dtype=torch.long)
    for i in range(n):
        for _ in range(int(torch.randint(2, 5, (1,), generator=gen))):
            cls = allowed[int(torch.randint(0, len(allowed), (1,), generator=gen))]
            x0, y0 = torch.randint(0, size - 4, (2,), generator=gen).tolist()
            w, h = torch.randint(3, 9, (2,), generator=gen).tolist()
            masks[i, y0:y0 + h, x0:x0 + w] = cls
    imgs = PALETTE[masks].permute(0, 3, 1, 2)
    imgs = imgs + 0.08 * torch.randn(imgs.shape, generator=gen)
    return imgs, masks


class TinySegNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
            nn.Conv2d(24, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
            nn.Conv2d(24, n_classes, 1),
        )

    def forward(self, x):
        return self.net(x)


def confusion(pred, target, n):
    idx = target.flatten() * n + pred.flatten()
    return torch.bincount(idx, minlength=n * n).reshape(n, n).float()


class Callback:
    def on_train_begin(self, trainer): pass
    def on_step_end(self, trainer, loss): pass
    def on_validation_end(self, trainer, metrics): pass


class WarmupCosine(Callback):
    def __init__(self, warmup, total):
        self.warmup, self.total = warmup, total

    def on_step_end(self, trainer, loss):
        s = trainer.global_step
        if s < self.warmup:
            f = (s + 1) / self.warmup
        else:
            f = 0.5 * (1 + math.cos(math.pi * (s - self.warmup) / max(1, self.total - self.warmup)))
        for g in trainer.optimizer.param_groups:
            g["lr"] = trainer.base_lr * f


class ConsoleLogger(Callback):
    def __init__(self, every):
        self.every = every

    def on_step_end(self, trainer, loss):
        if trainer.global_step % self.every == 0:
            print(f"step {trainer.global_step:4d}  loss {loss:.4f}  lr {trainer.optimizer.param_groups[0]['lr']:.2e}")

    def on_validation_end(self, trainer, metrics):
        per_class = " ".join(f"{c}={v:.3f}" for c, v in zip(CLASSES, metrics["iou"]))
        print(f"  [val @ {trainer.global_step}] pix_acc {metrics['pix_acc']:.4f}  mIoU {metrics['miou']:.4f}  ({per_class})")


class BestMetricTracker(Callback):
    def __init__(self):
        self.best = -1.0
        self.best_step = None

    def on_validation_end(self, trainer, metrics):
        if metrics["miou"] > self.best:
            self.best, self.best_step = metrics["miou"], trainer.global_step


class Trainer:
    def __init__(self, model, train_data, val_data, lr, batch_size, max_steps, val_every, callbacks):
        self.model = model
        self.train_x, self.train_y = train_data
        self.val_x, self.val_y = val_data
        self.base_lr = lr
        self.batch_size = batch_size
        self.max_steps = max_steps
        self.val_every = val_every
        self.callbacks = callbacks
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        self.global_step = 0

    def _emit(self, name, *args):
        for cb in self.callbacks:
            getattr(cb, name)(self, *args)

    def batches(self):
        while True:
            perm = torch.randperm(len(self.train_x))
            for i in range(0, len(perm) - self.batch_size + 1, self.batch_size):
                j = perm[i:i + self.batch_size]
                yield self.train_x[j], self.train_y[j]

    def training_step(self, x, y):
        logits = self.model(x)
        return F.cross_entropy(logits, y)

    @torch.no_grad()
    def validate(self):
        self.model.eval()
        n = len(CLASSES)
        cm = torch.zeros(n, n)
        for i in range(0, len(self.val_x), 64):
            pred = self.model(self.val_x[i:i + 64]).argmax(1)
            cm += confusion(pred, self.val_y[i:i + 64], n)
        self.model.train()
        inter = cm.diag()
        union = cm.sum(0) + cm.sum(1) - inter
        iou = inter / union
        return {"pix_acc": (inter.sum() / cm.sum()).item(), "iou": iou.tolist(), "miou": iou.mean().item()}

    def fit(self):
        self._emit("on_train_begin")
        self.model.train()
        for x, y in self.batches():
            loss = self.training_step(x, y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            self._emit("on_step_end", loss.item())
            self.global_step += 1
            if self.global_step % self.val_every == 0:
                self._emit("on_validation_end", self.validate())
            if self.global_step >= self.max_steps:
                break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=16)
    args = ap.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(3)
    train = make_tiles(320, 16, gen, allowed=[1, 2, 3])
    val = make_tiles(96, 16, gen, allowed=[1, 2])

    tracker = BestMetricTracker()
    trainer = Trainer(
        TinySegNet(len(CLASSES)), train, val,
        lr=args.lr, batch_size=args.batch_size, max_steps=args.steps, val_every=10,
        callbacks=[WarmupCosine(20, args.steps), ConsoleLogger(20), tracker],
    )
    trainer.fit()
    print(f"best mIoU {tracker.best:.4f} at step {tracker.best_step}")


if __name__ == "__main__":
    main()
