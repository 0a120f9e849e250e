"""Tiny transformer block (single head, d_model = d_k = 256, embeddings scaled by
sqrt(d_model) as in the PyTorch tutorial) solving a key -> value lookup, trained with fp16
autocast + GradScaler. The attention is softmax(q @ k.T) with no 1/sqrt(d_k) scaling, so
the logits are ~16x too large; as attention sharpens they pass 65504 and overflow in fp16.
Cause: arch.attention_unscaled
"""
import torch
from torch import nn
import torch.nn.functional as F

VOCAB, D, PAIRS = 32, 256, 3


class LookupTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D)
        self.pos = nn.Parameter(0.1 * torch.randn(2 * PAIRS + 1, D))
        self.q, self.k, self.v = nn.Linear(D, D), nn.Linear(D, D), nn.Linear(D, D)
        self.norm = nn.LayerNorm(D)
        self.out = nn.Linear(D, VOCAB)

    def forward(self, tokens):
        x = self.emb(tokens) * D ** 0.5 + self.pos
        scores = self.q(x) @ self.k(x).transpose(1, 2)  # should be (q / D ** 0.5) @ k.T
        x = self.norm(x + torch.softmax(scores, dim=-1) @ self.v(x))
        return self.out(x[:, -1])


def build_model():
    return LookupTransformer()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1024
    keys = torch.stack([torch.randperm(16, generator=g)[:PAIRS] for _ in range(n)])  # keys 0..15
    values = 16 + torch.randint(0, 16, (n, PAIRS), generator=g)                      # values 16..31
    pick = torch.randint(0, PAIRS, (n,), generator=g)
    seq = torch.stack([keys, values], dim=2).flatten(1)                              # k v k v k v
    tokens = torch.cat([seq, keys[torch.arange(n), pick][:, None]], dim=1)           # + query key
    return torch.utils.data.TensorDataset(tokens, values[torch.arange(n), pick])


def compute_loss(model, batch):
    tokens, target = batch
    return F.cross_entropy(model(tokens), target)


NANWIZ = {"lr": 2e-3, "batch_size": 16, "steps": 100, "amp": "fp16", "grad_clip": None,
          "seed": 0, "shuffle": True}
