"""Binary defect detector: small CNN on 16x16 grayscale patches, sigmoid output and a
hand-written binary cross-entropy -(y*log(p) + (1-y)*log(1-p)). Once the model is
confident, sigmoid(logit) rounds to exactly 1.0 in float32, log(1-p) = -inf and
0 * -inf = NaN (F.binary_cross_entropy_with_logits would be stable).
Cause: num.log_zero
"""
import torch
from torch import nn


def build_model():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 1),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 800
    y = (torch.rand(n, generator=g) < 0.5).float()
    x = 0.3 * torch.randn(n, 1, 16, 16, generator=g)
    # defective patches carry a bright scratch along a random row
    rows = torch.randint(2, 14, (n,), generator=g)
    for i in torch.nonzero(y).flatten().tolist():
        x[i, 0, rows[i], :] += 2.0
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    p = torch.sigmoid(model(x).squeeze(1))
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


NANWIZ = {"lr": 3e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
