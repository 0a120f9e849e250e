"""Spoken digit-string recognizer trained with CTC on precomputed log-mel features.

Two conv layers with stride 2 each subsample the 10 ms frames by 4 before a
small GRU and a per-frame classifier over {blank, 0-9}.
"""
import math
import torch
from torch import nn
import torch.nn.functional as F

N_MELS = 40
MAX_FRAMES = 160
MAX_LABEL = 12


class DigitStrings(torch.utils.data.Dataset):
    """Synthetic stand-in for a phone-number corpus: each digit is ~8 frames of a
    digit-specific spectral template plus noise, with silence around it."""

    def __init__(self, n=240, seed=11):
        g = torch.Generator().manual_seed(seed)
        templates = torch.rand(10, N_MELS, generator=g) * 4.0
        self.feats, self.n_frames, self.labels, self.label_len = [], [], [], []
        for i in range(n):
            k = int(torch.randint(3, 12, (1,), generator=g))
            digits = torch.randint(0, 10, (k,), generator=g)
            frames_per_digit = max(2, round(8 + 2.2 * float(torch.randn(1, generator=g))))
            lead = int(torch.randint(2, 6, (1,), generator=g))
            n_frames = min(MAX_FRAMES, lead + k * frames_per_digit + 4)
            power = torch.full((MAX_FRAMES, N_MELS), 1e-3)
            for j, d in enumerate(digits.tolist()):
                s = lead + j * frames_per_digit
                power[s:s + frames_per_digit] += templates[d]
            power = power * (1 + 0.3 * torch.rand(MAX_FRAMES, N_MELS, generator=g))
            logmel = torch.log(power)
            logmel[n_frames:] = 0.0
            lab = torch.zeros(MAX_LABEL, dtype=torch.long)
            lab[:k] = digits + 1
            self.feats.append(logmel)
            self.n_frames.append(n_frames)
            self.labels.append(lab)
            self.label_len.append(k)

    def __len__(self):
        return len(self.feats)

    def __getitem__(self, i):
        return self.feats[i], self.n_frames[i], self.labels[i], self.label_len[i]


class CTCRecognizer(nn.Module):
    def __init__(self, hidden=64, n_classes=11):
        super().__init__()
        self.norm = nn.LayerNorm(N_MELS)
        self.conv = nn.Sequential(
            nn.Conv1d(N_MELS, hidden, 5, stride=2, padding=2), nn.GELU(),
            nn.Conv1d(hidden, hidden, 5, stride=2, padding=2), nn.GELU(),
        )
        self.rnn = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, feats):
        h = self.conv(self.norm(feats).transpose(1, 2)).transpose(1, 2)
        h, _ = self.rnn(h)
        return self.out(h)


def build_model():
    return CTCRecognizer()


def build_dataset():
    return DigitStrings()


def compute_loss(model, batch):
    feats, n_frames, labels, label_len = batch
    logits = model(feats)
    log_probs = F.log_softmax(logits, dim=-1).transpose(0, 1)
    out_len = torch.div(n_frames + 3, 4, rounding_mode="floor")
    return F.ctc_loss(log_probs, labels, out_len, label_len, blank=0)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 150, "seed": 0}
