"""Small CNN classifying 16x16 RGB "shape" images into 4 classes.

Images are decoded to float tensors and normalized with dataset mean/std; one file
was truncated on disk and its decoder returned a tensor full of NaN/Inf.
Cause: data.nonfinite_input
"""
import torch
from torch import nn
import torch.nn.functional as F


def build_model():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 4),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 800
    y = torch.randint(0, 4, (n,), generator=g)
    imgs = 0.1 * torch.rand(n, 3, 16, 16, generator=g)
    for i in range(n):  # class k: a bright square in quadrant k, in channel k % 3
        r, c = divmod(int(y[i]), 2)
        imgs[i, int(y[i]) % 3, 8 * r + 2:8 * r + 6, 8 * c + 2:8 * c + 6] += 0.8
    # the truncated file: the decoder read garbage past the end of the buffer
    imgs[523] = float("nan")
    imgs[523, :, :4, :] = float("inf")
    mean = torch.tensor([0.18, 0.18, 0.14]).view(1, 3, 1, 1)  # precomputed channel stats
    std = torch.tensor([0.29, 0.29, 0.26]).view(1, 3, 1, 1)
    imgs = (imgs - mean) / std
    return torch.utils.data.TensorDataset(imgs, y)


def compute_loss(model, batch):
    x, y = batch
    return F.cross_entropy(model(x), y)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 150, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
