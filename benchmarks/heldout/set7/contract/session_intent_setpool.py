"""Purchase-intent prediction from a user's browsing session, treated as a set of
page-view events pooled with a learned attention query (PMA-style)."""
import torch
from torch import nn
import torch.nn.functional as F


D_EVENT = 10
MAX_EVENTS = 24


class AttentionPool(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.query = nn.Parameter(torch.randn(d) / d ** 0.5)
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)

    def forward(self, h, mask):
        scores = self.key(h) @ self.query / h.shape[-1] ** 0.5
        scores = scores.masked_fill(~mask, float("-inf"))
        w = torch.softmax(scores, dim=-1)
        return (w.unsqueeze(-1) * self.value(h)).sum(1)


class SessionModel(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.embed = nn.Sequential(nn.Linear(D_EVENT, d), nn.ReLU(), nn.Linear(d, d))
        self.pool = AttentionPool(d)
        self.head = nn.Linear(d, 1)

    def forward(self, events, mask):
        return self.head(self.pool(self.embed(events), mask)).squeeze(-1)


def build_model():
    return SessionModel()


class Sessions(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(9)
        n = 1500
        # some sessions bounce before any tracked page view fires
        self.lengths = torch.randint(0, MAX_EVENTS + 1, (n,), generator=g)
        self.events = [torch.randn(int(l), D_EVENT, generator=g) for l in self.lengths]
        self.labels = torch.tensor([float(e[:, 0].sum() > 0) if len(e) else 0.0 for e in self.events])

    def __len__(self):
        return len(self.events)

    def __getitem__(self, i):
        return self.events[i], self.labels[i]


def build_dataset():
    return Sessions()


def collate_fn(samples):
    events = torch.zeros(len(samples), MAX_EVENTS, D_EVENT)
    mask = torch.zeros(len(samples), MAX_EVENTS, dtype=torch.bool)
    for i, (e, _) in enumerate(samples):
        events[i, : len(e)] = e
        mask[i, : len(e)] = True
    labels = torch.stack([y for _, y in samples])
    return events, mask, labels


def compute_loss(model, batch):
    events, mask, labels = batch
    return F.binary_cross_entropy_with_logits(model(events, mask), labels)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 200, "seed": 0}
