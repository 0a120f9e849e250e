import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

PAD = 0


class UtteranceDataset(Dataset):
    def __init__(self, n, vocab, n_intents, seed):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n):
            L = int(torch.randint(4, 17, (1,), generator=g))
            intent = int(torch.randint(0, n_intents, (1,), generator=g))
            toks = torch.randint(1, vocab, (L,), generator=g)
            toks[0] = 1 + intent
            self.items.append((toks, intent))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def pad_batch(batch):
    toks, labels = zip(*batch)
    L = max(len(t) for t in toks)
    out = torch.full((len(toks), L), PAD, dtype=torch.long)
    for i, t in enumerate(toks):
        out[i, :len(t)] = t
    return out, torch.tensor(labels)


class FeatureNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(dim))
        self.shift = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        sigma = x.std(-1, keepdim=True)
        return self.gain * (x - mu) / sigma + self.shift


class IntentTagger(nn.Module):
    def __init__(self, vocab, dim, n_intents):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.norm = FeatureNorm(dim)
        self.mix = nn.GRU(dim, dim, batch_first=True)
        self.head = nn.Linear(dim, n_intents)

    def forward(self, toks):
        h = self.norm(self.embed(toks))
        h, _ = self.mix(h)
        mask = (toks != PAD).unsqueeze(-1).float()
        pooled = (h * mask).sum(1) / mask.sum(1)
        return self.head(pooled)


class Callback:
    def on_train_begin(self, trainer): pass
    def on_batch_end(self, trainer, step, loss): pass
    def on_epoch_end(self, trainer, epoch): pass


class LossPrinter(Callback):
    def __init__(self, every):
        self.every = every

    def on_batch_end(self, trainer, step, loss):
        if step % self.every == 0:
            print(f"step {step:4d} loss {loss:.4f}")


class ValAccuracy(Callback):
    def __init__(self, loader):
        self.loader = loader

    def on_epoch_end(self, trainer, epoch):
        trainer.model.eval()
        correct = total = 0
        with torch.no_grad():
            for toks, y in self.loader:
                correct += (trainer.model(toks).argmax(-1) == y).sum().item()
                total += len(y)
        trainer.model.train()
        print(f"epoch {epoch} val_acc {correct / total:.3f}")


class Trainer:
    def __init__(self, model, optimizer, callbacks=()):
        self.model = model
        self.optimizer = optimizer
        self.callbacks = list(callbacks)
        self.global_step = 0

    def _emit(self, name, *args):
        for cb in self.callbacks:
            getattr(cb, name)(self, *args)

    def training_step(self, batch):
        toks, y = batch
        logits = self.model(toks)
        return F.cross_entropy(logits, y)

    def fit(self, loader, epochs):
        self._emit("on_train_begin")
        for epoch in range(epochs):
            for batch in loader:
                loss = self.training_step(batch)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self._emit("on_batch_end", self.global_step, loss.item())
                self.global_step += 1
            self._emit("on_epoch_end", epoch)


def main():
    torch.manual_seed(0)
    vocab, dim, n_intents = 800, 48, 6
    train = UtteranceDataset(1200, vocab, n_intents, seed=1)
    val = UtteranceDataset(200, vocab, n_intents, seed=2)
    train_loader = DataLoader(train, batch_size=32, shuffle=True, collate_fn=pad_batch,
                              generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(val, batch_size=64, collate_fn=pad_batch)
    model = IntentTagger(vocab, dim, n_intents)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    trainer = Trainer(model, opt, callbacks=[LossPrinter(10), ValAccuracy(val_loader)])
    trainer.fit(train_loader, epochs=3)


if __name__ == "__main__":
    main()
