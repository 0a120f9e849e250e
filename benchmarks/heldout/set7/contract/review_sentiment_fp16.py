"""Bag-of-embeddings sentiment classifier for product reviews, trained in mixed
precision. Loss scaling follows the fp16 recipe we used with the old apex setup.
"""
import torch
from torch import nn
import torch.nn.functional as F


VOCAB = 2000
LOSS_SCALE = 1024.0


class ReviewClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.EmbeddingBag(VOCAB, 64, mode="mean")
        self.mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 2))

    def forward(self, tokens):
        return self.mlp(self.emb(tokens))


def build_model():
    return ReviewClassifier()


def build_dataset():
    g = torch.Generator().manual_seed(2)
    n, length = 1024, 40
    tokens = torch.randint(0, VOCAB, (n, length), generator=g)
    label = torch.randint(0, 2, (n,), generator=g)
    # sentiment words: ids 0-49 positive, 50-99 negative
    k = 6
    pos = torch.randint(0, 50, (n, k), generator=g)
    neg = torch.randint(50, 100, (n, k), generator=g)
    tokens[:, :k] = torch.where(label[:, None] == 1, pos, neg)
    return torch.utils.data.TensorDataset(tokens, label)


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def compute_loss(model, batch):
    tokens, label = batch
    logits = model(tokens)
    loss = F.cross_entropy(logits, label)
    return loss * LOSS_SCALE


NANWIZ = {"lr": 0.05, "batch_size": 32, "steps": 200, "amp": "fp16", "seed": 0}
