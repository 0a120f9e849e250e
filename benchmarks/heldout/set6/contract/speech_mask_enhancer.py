import torch
from torch import nn
import torch.nn.functional as F

N_CLIPS = 400
FRAMES = 8
BINS = 32
COMPRESS = 0.3


class MaskEstimator(nn.Module):
    """Per-frame spectral mask from a log-magnitude context."""

    def __init__(self, bins=BINS, hidden=96):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(bins, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, bins),
        )

    def forward(self, noisy_mag):
        feats = torch.log1p(noisy_mag)
        return torch.sigmoid(self.net(feats))


def build_model():
    return MaskEstimator()


def build_dataset():
    g = torch.Generator().manual_seed(8)
    envelope = torch.linspace(1.5, 0.2, BINS)
    clean = torch.rand(N_CLIPS, FRAMES, BINS, generator=g) * envelope
    noise = torch.rand(N_CLIPS, FRAMES, BINS, generator=g) * 0.4
    noisy = clean + noise
    # clips shorter than the crop length are zero-padded at the end
    lengths = torch.full((N_CLIPS,), FRAMES)
    short = torch.tensor([57, 190, 333])
    lengths[short] = torch.tensor([5, 6, 3])
    for i in short.tolist():
        noisy[i, lengths[i]:] = 0.0
        clean[i, lengths[i]:] = 0.0
    return torch.utils.data.TensorDataset(noisy, clean)


def compute_loss(model, batch):
    noisy, clean = batch
    mask = model(noisy)
    est = mask * noisy
    # power-law compressed magnitude loss
    return F.mse_loss(est.pow(COMPRESS), clean.pow(COMPRESS))


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 200, "seed": 0}
