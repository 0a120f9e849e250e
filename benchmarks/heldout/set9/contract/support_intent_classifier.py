import torch
from torch import nn
import torch.nn.functional as F

VOCAB = 3000
MAX_LEN = 16
N_INTENTS = 12


class FeatureNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mu = x.mean(dim=-1, keepdim=True)
        var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
        return self.weight * (x - mu) / torch.sqrt(var) + self.bias


class IntentClassifier(nn.Module):
    def __init__(self, dim=96):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, dim, padding_idx=0)
        self.embed_norm = FeatureNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        self.out_norm = FeatureNorm(dim)
        self.classifier = nn.Linear(dim, N_INTENTS)

    def forward(self, tokens):
        mask = (tokens != 0).unsqueeze(-1).float()
        h = self.embed_norm(self.embed(tokens))
        h = self.out_norm(h + self.ffn(h))
        pooled = (h * mask).sum(1) / mask.sum(1)
        return self.classifier(pooled)


def build_model():
    return IntentClassifier()


def build_dataset():
    g = torch.Generator().manual_seed(29)
    n = 1024
    intents = torch.randint(0, N_INTENTS, (n,), generator=g)
    keywords = torch.randint(1, VOCAB, (N_INTENTS, 5), generator=g)
    lengths = torch.randint(14, 120, (n,), generator=g).clamp(max=MAX_LEN)
    tokens = torch.zeros(n, MAX_LEN, dtype=torch.long)
    for i in range(n):
        L = int(lengths[i])
        seq = torch.randint(1, VOCAB, (L,), generator=g)
        pos = torch.randint(0, L, (2,), generator=g)
        seq[pos] = keywords[intents[i], torch.randint(0, 5, (2,), generator=g)]
        tokens[i, :L] = seq
    return torch.utils.data.TensorDataset(tokens, intents)


def compute_loss(model, batch):
    tokens, intents = batch
    return F.cross_entropy(model(tokens), intents)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "seed": 0}
