import torch
from torch import nn
import torch.nn.functional as F

N_WRITERS = 40
N_PAIRS = 600
MARGIN = 2.0


class SignatureEncoder(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(2, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(4), nn.Flatten(),
            nn.Linear(128, dim),
        )

    def forward(self, x):
        return self.net(x)


class SiameseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = SignatureEncoder()

    def forward(self, a, b):
        return self.encoder(a), self.encoder(b)


def build_model():
    return SiameseNet()


def _strokes(g):
    """Pen trajectories (x, y) for a handful of signatures per writer."""
    t = torch.linspace(0, 1, 48)
    style = torch.randn(N_WRITERS, 4, generator=g)
    sigs, writer = [], []
    for w in range(N_WRITERS):
        for _ in range(6):
            jitter = 0.1 * torch.randn(4, generator=g)
            a, b, c, d = (style[w] + jitter).tolist()
            xs = torch.sin(6.28 * (1 + abs(a)) * t + b)
            ys = torch.cos(6.28 * (1 + abs(c)) * t + d) * t
            sigs.append(torch.stack([xs, ys]))
            writer.append(w)
    return torch.stack(sigs), torch.tensor(writer)


def build_dataset():
    g = torch.Generator().manual_seed(23)
    sigs, writer = _strokes(g)
    n = sigs.size(0)
    i = torch.randint(0, n, (N_PAIRS,), generator=g)
    same = torch.rand(N_PAIRS, generator=g) < 0.5
    j = torch.empty_like(i)
    for k in range(N_PAIRS):
        pool = (writer == writer[i[k]]) if same[k] else (writer != writer[i[k]])
        cand = torch.nonzero(pool).squeeze(1)
        j[k] = cand[torch.randint(0, cand.numel(), (1,), generator=g)]
    label = (writer[i] == writer[j]).float()
    return torch.utils.data.TensorDataset(sigs[i], sigs[j], label)


def compute_loss(model, batch):
    a, b, same = batch
    ea, eb = model(a, b)
    dist = torch.sqrt(((ea - eb) ** 2).sum(dim=1))
    pos = same * dist.pow(2)
    neg = (1 - same) * F.relu(MARGIN - dist).pow(2)
    return (pos + neg).mean()


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 150, "seed": 0}
