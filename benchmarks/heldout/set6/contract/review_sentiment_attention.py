import torch
from torch import nn
import torch.nn.functional as F

VOCAB = 400
PAD = 0
MAX_LEN = 24
N_REVIEWS = 900


class ReviewClassifier(nn.Module):
    def __init__(self, dim=48, heads=4):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, dim) * 0.02)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.heads = heads
        self.norm = nn.LayerNorm(dim)
        self.cls = nn.Linear(dim, 2)

    def forward(self, ids):
        b, n = ids.shape
        pad = ids == PAD
        x = self.emb(ids) + self.pos[:n]
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        split = lambda t: t.view(b, n, self.heads, -1).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        att = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5
        att = att.masked_fill(pad[:, None, None, :], float("-inf"))
        att = att.softmax(dim=-1)
        h = (att @ v).transpose(1, 2).reshape(b, n, -1)
        h = self.norm(x + self.proj(h))
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.cls(pooled)


def build_model():
    return ReviewClassifier()


def build_dataset():
    g = torch.Generator().manual_seed(64)
    lengths = torch.randint(1, MAX_LEN + 1, (N_REVIEWS,), generator=g)
    lengths[:40] = 1          # one-word reviews ("great", "meh", ...)
    ids = torch.full((N_REVIEWS, MAX_LEN), PAD, dtype=torch.long)
    label = torch.randint(0, 2, (N_REVIEWS,), generator=g)
    for i in range(N_REVIEWS):
        n = int(lengths[i])
        lo = 1 if label[i] == 0 else VOCAB // 2
        ids[i, :n] = torch.randint(lo, lo + VOCAB // 2 - 1, (n,), generator=g)
    return torch.utils.data.TensorDataset(ids, label)


def compute_loss(model, batch):
    ids, label = batch
    return F.cross_entropy(model(ids), label)


NANWIZ = {"lr": 2e-3, "batch_size": 32, "steps": 250, "seed": 0}
