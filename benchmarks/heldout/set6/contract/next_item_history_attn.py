import torch
from torch import nn
import torch.nn.functional as F

N_ITEMS = 500
HIST = 10
N_USERS = 900


class HistoryAttentionRec(nn.Module):
    """Target-aware attention over the user's recent items (DIN-style)."""

    def __init__(self, dim=32):
        super().__init__()
        self.item = nn.Embedding(N_ITEMS + 1, dim, padding_idx=0)
        self.query = nn.Linear(dim, dim)
        self.out = nn.Sequential(nn.Linear(2 * dim, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, history, candidate):
        h = self.item(history)                       # B, L, D
        c = self.item(candidate)                     # B, D
        scores = torch.einsum("bld,bd->bl", h, self.query(c)) / h.size(-1) ** 0.5
        scores = scores.masked_fill(history == 0, float("-inf"))
        w = torch.softmax(scores, dim=1)
        user_vec = torch.einsum("bl,bld->bd", w, h)
        return self.out(torch.cat([user_vec, c], dim=-1)).squeeze(-1)


def build_model():
    return HistoryAttentionRec()


def build_dataset():
    g = torch.Generator().manual_seed(41)
    lengths = torch.randint(1, HIST + 1, (N_USERS,), generator=g)
    # accounts created during the promo week have no purchases yet
    lengths[torch.tensor([133, 517, 802])] = 0
    history = torch.zeros(N_USERS, HIST, dtype=torch.long)
    for u in range(N_USERS):
        n = int(lengths[u])
        history[u, HIST - n:] = torch.randint(1, N_ITEMS + 1, (n,), generator=g)
    candidate = torch.randint(1, N_ITEMS + 1, (N_USERS,), generator=g)
    topic = lambda items: items % 7
    overlap = (topic(history) == topic(candidate).unsqueeze(1)) & (history > 0)
    clicked = (overlap.sum(1) >= 2).float()
    return torch.utils.data.TensorDataset(history, candidate, clicked)


def compute_loss(model, batch):
    history, candidate, clicked = batch
    return F.binary_cross_entropy_with_logits(model(history, candidate), clicked)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "seed": 2}
