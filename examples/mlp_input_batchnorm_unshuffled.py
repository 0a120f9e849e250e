"""Event-count regressor (Poisson NLL, log link) on sensor windows with BatchNorm1d as input
normalizer, trained session by session with shuffle=False. "gain_db" is constant within a
session, so train mode normalizes it to 0 while running_var decays to ~0; in eval mode
(gain_db - running_mean) / sqrt(running_var + eps) is huge and exp(log_rate) is Inf.
Cause: arch.bn_running_stats
"""
import torch
from torch import nn
import torch.nn.functional as F

SESSIONS, PER_SESSION = 12, 64


def build_model():
    return nn.Sequential(
        nn.BatchNorm1d(6),
        nn.Linear(6, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = SESSIONS * PER_SESSION
    session_gain = torch.tensor([0.0, 12.0, 24.0, 36.0]).repeat(SESSIONS // 4)  # amplifier setting
    gain_db = session_gain.repeat_interleave(PER_SESSION)
    activity = torch.rand(n, 3, generator=g) * 5
    noise = torch.randn(n, 2, generator=g)
    x = torch.cat([gain_db.unsqueeze(1), activity, noise], dim=1)  # activity is gain-corrected
    rate = torch.exp(0.3 * activity.sum(1) - 2.0)
    y = torch.poisson(rate, generator=g)                        # events per window
    return torch.utils.data.TensorDataset(x, y)


def compute_loss(model, batch):
    x, y = batch
    log_rate = model(x).squeeze(1)
    return F.poisson_nll_loss(log_rate, y, log_input=True)


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": False}
