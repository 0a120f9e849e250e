"""Healthy run with alarming-looking code: a small CNN ported from a Caffe model keeps its
pooling layer with stride 3 over a 2x2 window (a Caffe trap, harmless in PyTorch), and adds a
hand-written log-barrier on the weight norm (log of a computed value without eps, which the
norm never lets reach 0). Adam at a sane lr: trains cleanly, no NaN expected. nanwiz should say
so, name no cause, and list the two patterns as latent risks.
Cause: none
"""
import torch
from torch import nn
import torch.nn.functional as F


class PortedNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=3)        # as in the Caffe prototxt
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = F.relu(self.conv2(x)).mean(dim=(2, 3))
        return self.head(x)


def build_model():
    return PortedNet()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 800
    label = torch.randint(0, 4, (n,), generator=g)
    x = 0.3 * torch.randn(n, 1, 18, 18, generator=g)
    for k in range(4):
        x[label == k, :, 4 * k:4 * k + 4, :] += 1.0              # a bright band per class
    return torch.utils.data.TensorDataset(x, label)


def compute_loss(model, batch):
    x, y = batch
    barrier = -torch.log(model.head.weight.norm())               # keeps the head from collapsing
    return F.cross_entropy(model(x), y) + 1e-3 * barrier


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 150, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
