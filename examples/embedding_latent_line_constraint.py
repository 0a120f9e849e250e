"""Per-pose latent codes (nn.Embedding) decoded by a small MLP, plus the constraint from
seed 003 that keeps all codes on the line between code 0 and code -1: |d1 + d2 - d|
with d1 = sqrt(sum((vecs[0] - e)**2)). For idx 0 (and -1) that distance is exactly 0:
the forward is finite but sqrt's backward is 1/(2*0) and the gradient becomes NaN.
Cause: num.sqrt_zero_grad
"""
import torch
from torch import nn
import torch.nn.functional as F

N_POSES, DIM = 16, 8


class PoseDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.latent_codes = nn.Embedding(N_POSES, DIM)
        self.decoder = nn.Sequential(nn.Linear(DIM, 64), nn.ReLU(), nn.Linear(64, 30))

    def forward(self, idx):
        embedding = self.latent_codes(idx)
        return self.decoder(embedding), embedding


def build_model():
    return PoseDecoder()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 640
    idx = torch.randint(0, N_POSES, (n,), generator=g)
    poses = torch.randn(N_POSES, 30, generator=g)             # one keypoint vector per pose
    target = poses[idx] + 0.05 * torch.randn(n, 30, generator=g)
    return torch.utils.data.TensorDataset(idx, target)


def compute_loss(model, batch):
    idx, target = batch
    recon, embedding = model(idx)
    vecs = model.latent_codes.weight.data
    d1 = torch.sum((vecs[0].unsqueeze(0) - embedding) ** 2, dim=1).sqrt()
    d2 = torch.sum((vecs[len(vecs) - 1].unsqueeze(0) - embedding) ** 2, dim=1).sqrt()
    standard_distance = torch.dist(vecs[0], vecs[len(vecs) - 1], p=2)
    line = torch.abs(d1 + d2 - standard_distance).mean() + 1e-8  # eps on the loss does not help
    return {"recon": F.mse_loss(recon, target), "line": 0.1 * line}


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
