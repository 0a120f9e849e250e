import torch
from torch import nn
import torch.nn.functional as F


class SmallConvNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def build_model():
    # half precision weights to fit the edge device's memory budget
    return SmallConvNet().half()


def build_dataset():
    g = torch.Generator().manual_seed(12)
    n = 1024
    labels = torch.randint(0, 10, (n,), generator=g)
    protos = torch.rand(10, 1, 16, 16, generator=g)
    imgs = protos[labels] + 0.35 * torch.randn(n, 1, 16, 16, generator=g)
    imgs = (imgs - 0.5) / 0.5
    return torch.utils.data.TensorDataset(imgs, labels)


def compute_loss(model, batch):
    x, y = batch
    logits = model(x.half())
    return F.cross_entropy(logits.float(), y)


def build_optimizer(params, lr):
    return torch.optim.Adam(params, lr=lr, eps=1e-8)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 200, "seed": 0}
