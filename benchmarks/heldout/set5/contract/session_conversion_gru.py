import math
import torch
from torch import nn
import torch.nn.functional as F

N_SESSIONS = 1500
EVENT_FEATURES = 5
MAX_EVENTS = 30


class Sessions(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(37)
        self.sessions = []
        self.labels = []
        for _ in range(N_SESSIONS):
            if float(torch.rand(1, generator=g)) < 0.04:
                n = 1
            else:
                u = float(torch.rand(1, generator=g))
                n = min(2 + int(math.log(1 - u) / math.log(1 - 0.12)), MAX_EVENTS)
            dwell = torch.rand(n, generator=g) * 120
            scroll = torch.rand(n, generator=g)
            price_seen = 20 + 200 * torch.rand(n, generator=g)
            add_to_cart = (torch.rand(n, generator=g) < 0.08).float()
            hour = torch.full((n,), float(torch.randint(0, 24, (1,), generator=g)))
            events = torch.stack([dwell, scroll, price_seen, add_to_cart, hour], dim=1)
            p = torch.sigmoid(-2.5 + 0.08 * n + 2.0 * add_to_cart.sum() + 0.01 * dwell.mean())
            self.sessions.append(events)
            self.labels.append(float(torch.rand(1, generator=g) < p))

    def __len__(self):
        return len(self.sessions)

    def __getitem__(self, i):
        return self.sessions[i], self.labels[i]


def collate_fn(samples):
    events = [s[0] for s in samples]
    lengths = torch.tensor([e.shape[0] for e in events])
    padded = nn.utils.rnn.pad_sequence(events, batch_first=True)
    labels = torch.tensor([s[1] for s in samples])
    return padded, lengths, labels


class SessionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(2 * EVENT_FEATURES, 48, batch_first=True)
        self.head = nn.Sequential(nn.Linear(48 + 1, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, events, lengths):
        mask = (torch.arange(events.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1).float()
        n = lengths.view(-1, 1, 1).float()
        mean = (events * mask).sum(1, keepdim=True) / n
        var = (((events - mean) * mask) ** 2).sum(1, keepdim=True) / (n - 1)
        within = (events - mean) / (var.sqrt() + 1e-6)
        scale = torch.log1p(mean.abs()).expand_as(events)
        x = torch.cat([within, scale], dim=-1) * mask
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.head(torch.cat([h[-1], torch.log(lengths.float()).unsqueeze(1)], dim=1)).squeeze(-1)


def build_dataset():
    return Sessions()


def build_model():
    return SessionModel()


def compute_loss(model, batch):
    events, lengths, labels = batch
    return F.binary_cross_entropy_with_logits(model(events, lengths), labels)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 150}
