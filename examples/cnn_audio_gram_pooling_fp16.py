"""Acoustic-scene classifier: 1D CNN over 40-band log-mel spectrograms (librosa-style dB,
-80..0) with second-order (Gram/covariance) pooling G = F @ F.T / T over 200 frames,
trained with fp16 autocast. Fine in fp32 and bf16, but the Gram matmul sums 200 products
of ~10-40-valued features, exceeds 65504 and is Inf in fp16 before the division by T.
Cause: amp.fp16_overflow
"""
import torch
from torch import nn
import torch.nn.functional as F

N_MELS, FRAMES, N_SCENES = 40, 200, 4


class GramPoolNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(N_MELS, 32, 5, padding=2), nn.ReLU(),
            nn.Conv1d(32, 32, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Linear(32 * 32, N_SCENES)

    def forward(self, mel_db):
        f = self.features(mel_db)                          # (B, C, T)
        gram = f @ f.transpose(1, 2) / f.shape[-1]          # (B, C, C), matmul runs in fp16
        return self.head(F.normalize(gram.flatten(1), dim=1))


def build_model():
    return GramPoolNet()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 256
    scene = torch.randint(0, N_SCENES, (n,), generator=g)
    profiles = -70 + 50 * torch.rand(N_SCENES, N_MELS, 1, generator=g)   # mean dB per band
    bursts = (torch.rand(n, 1, FRAMES, generator=g) < 0.1).float() * 15
    mel_db = profiles[scene] + bursts + 5 * torch.randn(n, N_MELS, FRAMES, generator=g)
    return torch.utils.data.TensorDataset(mel_db.clamp(-80, 0), scene)


def compute_loss(model, batch):
    mel_db, scene = batch
    return F.cross_entropy(model(mel_db), scene)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 40, "amp": "fp16", "grad_clip": None,
          "seed": 0, "shuffle": True}
