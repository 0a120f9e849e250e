import math
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

PAD = 0
VOCAB = 400
NUM_INTENTS = 6


class IntentDataset(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n):
            label = int(torch.randint(0, NUM_INTENTS, (1,), generator=g))
            length = int(torch.randint(3, 17, (1,), generator=g))
            toks = torch.randint(20, VOCAB, (length,), generator=g)
            cue = 2 + label * 3 + torch.randint(0, 3, (1,), generator=g)
            toks[int(torch.randint(0, length, (1,), generator=g))] = cue
            self.items.append((toks, label))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def pad_batch(batch):
    lengths = [len(t) for t, _ in batch]
    out = torch.full((len(batch), max(lengths)), PAD, dtype=torch.long)
    for i, (t, _) in enumerate(batch):
        out[i, :len(t)] = t
    return out, torch.tensor([y for _, y in batch])


class AttentionPoolClassifier(nn.Module):
    def __init__(self, dim=48):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.proj = nn.Linear(dim, dim)
        self.query = nn.Parameter(torch.randn(dim) / math.sqrt(dim))
        self.head = nn.Linear(dim, NUM_INTENTS)

    def forward(self, tokens):
        h = torch.tanh(self.proj(self.embed(tokens)))
        scores = h @ self.query / math.sqrt(h.shape[-1])
        scores = scores.masked_fill(tokens == PAD, float("-inf"))
        weights = torch.softmax(scores, dim=1)
        pooled = (weights.unsqueeze(-1) * h).sum(1)
        return self.head(pooled)


class Callback:
    def on_train_begin(self, trainer): pass
    def on_step_end(self, trainer, loss): pass
    def on_epoch_end(self, trainer, epoch): pass


class LinearWarmup(Callback):
    def __init__(self, warmup_steps, base_lr):
        self.warmup_steps, self.base_lr = warmup_steps, base_lr

    def on_train_begin(self, trainer):
        for g in trainer.optimizer.param_groups:
            g["lr"] = self.base_lr / self.warmup_steps

    def on_step_end(self, trainer, loss):
        scale = min(1.0, (trainer.global_step + 1) / self.warmup_steps)
        for g in trainer.optimizer.param_groups:
            g["lr"] = self.base_lr * scale


class PrintLogger(Callback):
    def __init__(self, every):
        self.every = every

    def on_step_end(self, trainer, loss):
        if trainer.global_step % self.every == 0:
            lr = trainer.optimizer.param_groups[0]["lr"]
            print(f"step {trainer.global_step:4d}  loss {loss:.6f}  lr {lr:.2e}")

    def on_epoch_end(self, trainer, epoch):
        acc = trainer.evaluate()
        print(f"epoch {epoch}  val acc {acc:.3f}")


class Trainer:
    def __init__(self, model, optimizer, train_loader, val_loader, callbacks=()):
        self.model = model
        self.optimizer = optimizer
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.callbacks = list(callbacks)
        self.global_step = 0

    def _fire(self, name, *args):
        for cb in self.callbacks:
            getattr(cb, name)(self, *args)

    def training_step(self, batch):
        tokens, labels = batch
        logits = self.model(tokens)
        return F.cross_entropy(logits, labels)

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        correct = total = 0
        for tokens, labels in self.val_loader:
            correct += (self.model(tokens).argmax(1) == labels).sum().item()
            total += labels.numel()
        self.model.train()
        return correct / total

    def fit(self, epochs):
        self._fire("on_train_begin")
        for epoch in range(epochs):
            for batch in self.train_loader:
                loss = self.training_step(batch)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self._fire("on_step_end", loss.item())
                self.global_step += 1
            self._fire("on_epoch_end", epoch)


if __name__ == "__main__":
    torch.manual_seed(0)
    train_loader = DataLoader(IntentDataset(1600, seed=1), batch_size=32, shuffle=True, collate_fn=pad_batch)
    val_loader = DataLoader(IntentDataset(300, seed=2), batch_size=64, collate_fn=pad_batch)
    model = AttentionPoolClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    trainer = Trainer(model, optimizer, train_loader, val_loader,
                      callbacks=[LinearWarmup(30, 5e-3), PrintLogger(every=25)])
    trainer.fit(epochs=4)
