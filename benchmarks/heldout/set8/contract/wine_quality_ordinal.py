"""Ordinal regression (CORAL) of wine quality grades 3..8 from lab measurements."""
import torch
from torch import nn
import torch.nn.functional as F

FEATURES = ["fixed_acidity", "volatile_acidity", "citric_acid", "residual_sugar",
            "chlorides", "free_so2", "total_so2", "density", "ph", "sulphates",
            "alcohol", "lab_batch_dilution"]
N_GRADES = 6


def load_measurements(n=900, seed=13):
    g = torch.Generator().manual_seed(seed)
    loc = torch.tensor([8.3, 0.53, 0.27, 2.5, 0.087, 15.9, 46.0, 0.9967, 3.31, 0.66, 10.4, 1.0])
    scale = torch.tensor([1.7, 0.18, 0.19, 1.4, 0.047, 10.5, 32.9, 0.0019, 0.15, 0.17, 1.07, 0.0])
    x = loc + scale * torch.randn(n, len(FEATURES), generator=g)
    score = 0.9 * (x[:, 10] - 10.4) - 4.0 * (x[:, 1] - 0.53) + 2.0 * (x[:, 9] - 0.66)
    score = score + 0.5 * torch.randn(n, generator=g)
    grade = torch.bucketize(score, torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
    return x, grade


class WineDataset(torch.utils.data.Dataset):
    def __init__(self):
        x, self.grade = load_measurements()
        self.mean = x.mean(0)
        self.std = x.std(0)
        self.x = (x - self.mean) / self.std

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.grade[i]


class CoralHead(nn.Module):
    def __init__(self, in_features, n_grades):
        super().__init__()
        self.score = nn.Linear(in_features, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(-1, 1, n_grades - 1))

    def forward(self, h):
        return self.score(h) - self.thresholds


def build_model():
    return nn.Sequential(nn.Linear(len(FEATURES), 32), nn.ReLU(), CoralHead(32, N_GRADES))


def build_dataset():
    return WineDataset()


def compute_loss(model, batch):
    x, grade = batch
    logits = model(x)
    levels = (torch.arange(N_GRADES - 1) < grade[:, None]).float()
    return F.binary_cross_entropy_with_logits(logits, levels)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 100, "seed": 0}
