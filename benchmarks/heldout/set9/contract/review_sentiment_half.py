import torch
from torch import nn
import torch.nn.functional as F

VOCAB = 5000
MAX_LEN = 40


class ReviewClassifier(nn.Module):
    def __init__(self, vocab=VOCAB, dim=128, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.encoder = nn.Sequential(nn.Linear(dim, 256), nn.GELU(), nn.Linear(256, dim))
        self.head = nn.Linear(dim, classes)

    def forward(self, tokens):
        mask = (tokens != 0).unsqueeze(-1).to(self.embed.weight.dtype)
        h = self.embed(tokens)
        h = h + self.encoder(h)
        pooled = (h * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.head(pooled)


def build_model():
    # keep the whole classifier in half precision to save memory on the serving box
    return ReviewClassifier().half()


def build_dataset():
    g = torch.Generator().manual_seed(7)
    n = 1024
    lengths = torch.randint(8, MAX_LEN + 1, (n,), generator=g)
    tokens = torch.zeros(n, MAX_LEN, dtype=torch.long)
    # Zipf-like vocabulary usage
    ranks = torch.arange(1, VOCAB, dtype=torch.float)
    probs = 1.0 / ranks
    probs = probs / probs.sum()
    for i in range(n):
        L = int(lengths[i])
        tokens[i, :L] = torch.multinomial(probs, L, replacement=True, generator=g) + 1
    labels = (tokens[:, :8].sum(1) % 3)
    return torch.utils.data.TensorDataset(tokens, labels)


def compute_loss(model, batch):
    tokens, labels = batch
    logits = model(tokens)
    return F.cross_entropy(logits.float(), labels)


def build_optimizer(params, lr):
    return torch.optim.Adam(params, lr=lr)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 60, "seed": 0}
