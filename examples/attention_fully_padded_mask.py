"""Review-sentiment classifier: token embeddings + one hand-written self-attention layer
with a key-padding mask applied as masked_fill(pad, -inf), then mean pooling. A few
reviews are empty after cleaning (all padding), so their whole softmax row is -inf and
softmax gives exp(-inf - (-inf)) = NaN.
Cause: num.inf_times_zero
"""
import torch
from torch import nn
import torch.nn.functional as F

VOCAB, PAD, MAX_LEN, D = 1000, 0, 24, 32


class AttnClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, D, padding_idx=PAD)
        self.qkv = nn.Linear(D, 3 * D)
        self.head = nn.Linear(D, 2)

    def forward(self, tokens):
        pad = tokens == PAD                                        # (B, T)
        q, k, v = self.qkv(self.emb(tokens)).chunk(3, dim=-1)
        scores = q @ k.transpose(1, 2) / D ** 0.5                  # (B, T, T)
        scores = scores.masked_fill(pad[:, None, :], float("-inf"))
        h = torch.softmax(scores, dim=-1) @ v
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1).clamp(min=1)     # the pooling is guarded ...
        return self.head(pooled)                                   # ... the attention is not


def build_model():
    return AttnClassifier()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1000
    lengths = torch.randint(3, MAX_LEN + 1, (n,), generator=g)
    lengths[[77, 610, 943]] = 0                   # reviews that were only emojis/HTML
    label = torch.randint(0, 2, (n,), generator=g)
    tokens = torch.randint(1, VOCAB, (n, MAX_LEN), generator=g)
    sentiment_words = 1 + label.unsqueeze(1) * 50 + torch.randint(0, 50, (n, MAX_LEN), generator=g)
    tokens = torch.where(torch.rand(n, MAX_LEN, generator=g) < 0.3, sentiment_words, tokens)
    tokens[torch.arange(MAX_LEN).unsqueeze(0) >= lengths.unsqueeze(1)] = PAD
    return torch.utils.data.TensorDataset(tokens, label)


def compute_loss(model, batch):
    tokens, label = batch
    return F.cross_entropy(model(tokens), label)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
