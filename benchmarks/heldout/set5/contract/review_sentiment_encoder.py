import torch
from torch import nn
import torch.nn.functional as F

VOCAB = 2000
MAX_LEN = 48
DIM = 64
N = 2400
PAD = 0


class LayerNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var) * self.weight + self.bias


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = LayerNorm(DIM)
        self.attn = nn.MultiheadAttention(DIM, 4, batch_first=True)
        self.norm2 = LayerNorm(DIM)
        self.ff = nn.Sequential(nn.Linear(DIM, 4 * DIM), nn.GELU(), nn.Linear(4 * DIM, DIM))

    def forward(self, x, pad_mask):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, key_padding_mask=pad_mask, need_weights=False)[0]
        return x + self.ff(self.norm2(x))


class ReviewEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM, padding_idx=PAD)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.norm = LayerNorm(DIM)
        self.cls = nn.Linear(DIM, 2)

    def forward(self, tokens):
        pad_mask = tokens == PAD
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x, pad_mask)
        x = self.norm(x)
        keep = (~pad_mask).unsqueeze(-1).float()
        pooled = (x * keep).sum(1) / keep.sum(1)
        return self.cls(pooled)


def build_dataset():
    g = torch.Generator().manual_seed(8)
    positive_words = torch.arange(10, 60)
    negative_words = torch.arange(60, 110)
    tokens = torch.full((N, MAX_LEN), PAD)
    labels = torch.randint(0, 2, (N,), generator=g)
    lengths = torch.randint(8, MAX_LEN + 1, (N,), generator=g)
    for i in range(N):
        n = int(lengths[i])
        words = torch.randint(110, VOCAB, (n,), generator=g)
        n_signal = max(1, n // 6)
        pool = positive_words if labels[i] == 1 else negative_words
        pos = torch.randperm(n, generator=g)[:n_signal]
        words[pos] = pool[torch.randint(0, len(pool), (n_signal,), generator=g)]
        tokens[i, :n] = words
    return torch.utils.data.TensorDataset(tokens, labels)


def build_model():
    return ReviewEncoder()


def compute_loss(model, batch):
    tokens, labels = batch
    return F.cross_entropy(model(tokens), labels)


NANWIZ = {"lr": 5e-4, "batch_size": 32, "steps": 150}
