import torch
from torch import nn

IN_DIM = 64
TEMPERATURE = 0.05


class Encoder(nn.Module):
    def __init__(self, in_dim=IN_DIM, hidden=256, proj=64):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.projector = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, proj))

    def forward(self, x):
        return self.projector(self.backbone(x))


class TwoViewDataset(torch.utils.data.Dataset):
    def __init__(self, n=2048, seed=11):
        g = torch.Generator().manual_seed(seed)
        self.base = torch.randn(n, IN_DIM, generator=g)
        self.noise_a = 0.1 * torch.randn(n, IN_DIM, generator=g)
        self.noise_b = 0.1 * torch.randn(n, IN_DIM, generator=g)
        self.scale = 0.8 + 0.4 * torch.rand(n, 1, generator=g)

    def __len__(self):
        return self.base.shape[0]

    def __getitem__(self, i):
        x = self.base[i]
        return x + self.noise_a[i], self.scale[i] * x + self.noise_b[i]


def build_model():
    return Encoder()


def build_dataset():
    return TwoViewDataset()


def compute_loss(model, batch):
    view_a, view_b = batch
    za = model(view_a)
    zb = model(view_b)
    sim = za @ zb.t() / TEMPERATURE
    pos = torch.exp(torch.diagonal(sim))
    denom = torch.exp(sim).sum(dim=1)
    return -torch.log(pos / denom).mean()


NANWIZ = {"lr": 2e-3, "batch_size": 64, "steps": 200, "seed": 0}
