"""Bag-of-embeddings topic classifier (nn.EmbeddingBag) over 5 topics.

The label file numbers topics 1..5 (as in the annotation tool) while the model's
head has 5 outputs indexed 0..4; label 5 is out of range for cross_entropy.
Cause: data.bad_label
"""
import torch
from torch import nn
import torch.nn.functional as F

VOCAB, N_TOPICS, DOC_LEN = 500, 5, 20


class BagClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.EmbeddingBag(VOCAB, 32, mode="mean")
        self.head = nn.Linear(32, N_TOPICS)

    def forward(self, tokens):
        return self.head(self.emb(tokens))


def build_model():
    return BagClassifier()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 1000
    topic = torch.randint(0, N_TOPICS, (n,), generator=g)
    # each topic draws most of its words from its own slice of the vocabulary
    own = topic.unsqueeze(1) * 100 + torch.randint(0, 100, (n, DOC_LEN), generator=g)
    noise = torch.randint(0, VOCAB, (n, DOC_LEN), generator=g)
    tokens = torch.where(torch.rand(n, DOC_LEN, generator=g) < 0.7, own, noise)
    labels = topic + 1  # annotation export: topics are 1-based
    return torch.utils.data.TensorDataset(tokens, labels)


def compute_loss(model, batch):
    tokens, labels = batch
    return F.cross_entropy(model(tokens), labels)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
