"""Healthy baseline: a 2-layer nn.TransformerEncoder (d_model 32, 4 heads, pre-LN) that
classifies whether a 12-token sequence contains a "trigger" token more often than a "damper".
Normalized embeddings, library losses, Adam at a sane lr: trains cleanly, no NaN expected.
Cause: none
"""
import torch
from torch import nn
import torch.nn.functional as F

VOCAB, SEQ, D = 20, 12, 32


class SeqClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D)
        self.pos = nn.Parameter(0.02 * torch.randn(SEQ, D))
        layer = nn.TransformerEncoderLayer(D, nhead=4, dim_feedforward=64, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(D, 2)

    def forward(self, tokens):
        h = self.encoder(self.emb(tokens) + self.pos)
        return self.head(h.mean(dim=1))


def build_model():
    return SeqClassifier()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 2048
    tokens = torch.randint(0, VOCAB, (n, SEQ), generator=g)
    tokens[torch.rand(n, SEQ, generator=g) < 0.15] = 0    # sprinkle extra triggers (token 0)
    tokens[torch.rand(n, SEQ, generator=g) < 0.15] = 1    # ... and dampers (token 1)
    label = ((tokens == 0).sum(1) > (tokens == 1).sum(1)).long()
    return torch.utils.data.TensorDataset(tokens, label)


def compute_loss(model, batch):
    tokens, label = batch
    return F.cross_entropy(model(tokens), label)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": 1.0,
          "seed": 0, "shuffle": True}
