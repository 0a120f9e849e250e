import argparse

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--bs", type=int, default=16)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.manual_seed(args.seed)

N_BINS = 256
N_CLASSES = 5


def make_spectra(n=400):
    g = torch.Generator().manual_seed(123)
    wn = torch.linspace(0, 1, N_BINS)
    centers = torch.rand(N_CLASSES, 3, generator=g)
    y = torch.randint(0, N_CLASSES, (n,), generator=g)
    baseline = 200.0 + 300.0 * torch.rand(n, 1, generator=g)
    peaks = torch.zeros(n, N_BINS)
    for k in range(3):
        c = centers[y, k][:, None]
        peaks += 80.0 * torch.exp(-((wn[None, :] - c) ** 2) / 0.0008)
    spectra = baseline + peaks + 2.0 * torch.randn(n, N_BINS, generator=g)
    # detector in saturation: flat readout near full scale
    for i in (41, 187, 290):
        spectra[i] = 4095.0 + 0.01 * torch.randn(N_BINS, generator=g)
    return spectra, y


class FastLayerNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = (x * x).mean(-1, keepdim=True) - mean * mean
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


class SpectraNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = FastLayerNorm(N_BINS)
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(16, 32, 9, padding=4), nn.ReLU(), nn.AdaptiveMaxPool1d(8),
        )
        self.head = nn.Linear(32 * 8, N_CLASSES)

    def forward(self, x):
        x = self.norm(x).unsqueeze(1)
        return self.head(self.conv(x).flatten(1))


spectra, labels = make_spectra()
loader = DataLoader(TensorDataset(spectra, labels), batch_size=args.bs, shuffle=True)
model = SpectraNet()
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * len(loader))

step = 0
for epoch in range(args.epochs):
    correct = 0
    for xb, yb in loader:
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        if not torch.isfinite(loss):
            raise RuntimeError(f"loss is {loss.item()} at step {step}")
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        correct += (logits.argmax(-1) == yb).sum().item()
        step += 1
    print(f"epoch {epoch} loss {loss.item():.4f} train acc {correct / len(spectra):.3f}")
