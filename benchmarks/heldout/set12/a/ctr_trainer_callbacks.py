import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(41)

N_HASH = 20000
FIELDS = 8


def make_clicks(n=20000):
    ids = torch.randint(0, N_HASH, (n, FIELDS))
    true_w = 0.8 * torch.randn(N_HASH)
    logits = true_w[ids].sum(1) - 1.5
    clicks = torch.bernoulli(torch.sigmoid(logits))
    return ids, clicks


class WideCTRModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Embedding(N_HASH, 1)
        nn.init.normal_(self.weights.weight, std=0.01)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, ids):
        return self.weights(ids).sum(dim=(1, 2)) + self.bias


class Callback:
    def on_train_start(self, trainer): pass
    def on_step_end(self, trainer, step, terms): pass
    def on_epoch_end(self, trainer, epoch): pass


class TermLogger(Callback):
    def __init__(self, every=20):
        self.every = every

    def on_step_end(self, trainer, step, terms):
        if step % self.every == 0:
            parts = "  ".join(f"{k} {v:.4g}" for k, v in terms.items())
            print(f"step {step:4d}  {parts}")


class Timer(Callback):
    def on_train_start(self, trainer):
        self.t0 = time.time()

    def on_epoch_end(self, trainer, epoch):
        print(f"epoch {epoch} done in {time.time() - self.t0:.1f}s")


class LogLossEval(Callback):
    def __init__(self, ids, clicks):
        self.ids, self.clicks = ids, clicks

    def on_epoch_end(self, trainer, epoch):
        with torch.no_grad():
            p = torch.sigmoid(trainer.model(self.ids))
            ll = F.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), self.clicks).item()
        print(f"epoch {epoch} validation logloss {ll:.4f}")


class Trainer:
    def __init__(self, model, optimizer, l2_strength, callbacks=()):
        self.model = model
        self.optimizer = optimizer
        self.l2_strength = l2_strength
        self.callbacks = list(callbacks)
        self.global_step = 0

    def _fire(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(self, *args)

    def compute_terms(self, ids, clicks):
        logits = self.model(ids)
        bce = F.binary_cross_entropy_with_logits(logits, clicks)
        l2 = self.model.weights.weight.pow(2).sum()
        return {"bce": bce, "l2": self.l2_strength * l2}

    def fit(self, ids, clicks, epochs, batch_size):
        self._fire("on_train_start")
        n = len(ids)
        for epoch in range(epochs):
            perm = torch.randperm(n)
            for start in range(0, n, batch_size):
                idx = perm[start:start + batch_size]
                terms = self.compute_terms(ids[idx], clicks[idx])
                loss = sum(terms.values())
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self._fire("on_step_end", self.global_step, {k: v.item() for k, v in terms.items()})
                self.global_step += 1
            self._fire("on_epoch_end", epoch)


ids, clicks = make_clicks()
train_ids, train_clicks = ids[:16000], clicks[:16000]
val_ids, val_clicks = ids[16000:], clicks[16000:]

C = 0.5
model = WideCTRModel()
optimizer = torch.optim.SGD(model.parameters(), lr=0.8)
trainer = Trainer(model, optimizer, l2_strength=1.0 / C,
                  callbacks=[TermLogger(), Timer(), LogLossEval(val_ids, val_clicks)])
trainer.fit(train_ids, train_clicks, epochs=3, batch_size=256)
