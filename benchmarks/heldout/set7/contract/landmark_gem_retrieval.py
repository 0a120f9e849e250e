"""Small landmark-retrieval backbone: CNN + generalized-mean (GeM) pooling,
trained as a classifier over landmark ids; the pooled descriptor is used for search.
"""
import torch
from torch import nn
import torch.nn.functional as F


N_CLASSES = 10


class GeM(nn.Module):
    def __init__(self, p=3.0):
        super().__init__()
        self.p = nn.Parameter(torch.ones(1) * p)

    def forward(self, x):
        return x.pow(self.p).mean(dim=(-2, -1)).pow(1.0 / self.p)


class RetrievalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
        )
        self.pool = GeM()
        self.whiten = nn.Linear(64, 64)
        self.classifier = nn.Linear(64, N_CLASSES)

    def forward(self, x):
        d = self.whiten(self.pool(self.features(x)))
        return self.classifier(F.normalize(d, dim=-1) * 16)


def build_model():
    return RetrievalNet()


def build_dataset():
    g = torch.Generator().manual_seed(5)
    n = 640
    y = torch.randint(0, N_CLASSES, (n,), generator=g)
    protos = torch.randn(N_CLASSES, 3, 8, 8, generator=g)
    x = protos[y] + 0.5 * torch.randn(n, 3, 8, 8, generator=g)
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "seed": 0}
