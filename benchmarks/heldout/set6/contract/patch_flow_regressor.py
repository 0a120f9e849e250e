import torch
from torch import nn
import torch.nn.functional as F

PATCH = 8
LOSS_SCALE = 1024.0


class FlowHead(nn.Module):
    """Regresses the (dx, dy) shift between two small grayscale patches."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(2, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        )
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(16 * PATCH * PATCH, 64), nn.ReLU(),
                                nn.Linear(64, 2))

    def forward(self, pair):
        return self.fc(self.conv(pair))


def build_model():
    return FlowHead()


def build_dataset():
    g = torch.Generator().manual_seed(4)
    n = 640
    big = torch.rand(n, 1, PATCH + 4, PATCH + 4, generator=g)
    big = F.avg_pool2d(big, 3, stride=1, padding=1)
    shift = torch.randint(-2, 3, (n, 2), generator=g)
    a = big[:, :, 2:2 + PATCH, 2:2 + PATCH]
    b = torch.stack([
        big[i, :, 2 + int(shift[i, 1]):2 + int(shift[i, 1]) + PATCH,
            2 + int(shift[i, 0]):2 + int(shift[i, 0]) + PATCH]
        for i in range(n)
    ])
    pair = torch.cat([a, b], dim=1)
    return torch.utils.data.TensorDataset(pair, shift.float())


def compute_loss(model, batch):
    pair, shift = batch
    pred = model(pair)
    epe = F.mse_loss(pred, shift)
    return epe * LOSS_SCALE


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


NANWIZ = {"lr": 0.01, "batch_size": 32, "steps": 200, "seed": 0}
