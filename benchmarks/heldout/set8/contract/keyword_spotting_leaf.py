"""Keyword spotting with a learnable filterbank frontend (LEAF/SincNet style).

Clips are 16 kHz audio of varying duration, padded to one second at the
end. The frontend learns the mel-like filterbank on top of a fixed STFT power
spectrum, followed by a log compression and a small CNN.
"""
import math
import torch
from torch import nn
import torch.nn.functional as F

SR = 16000
CLIP = 16000
N_FFT = 400
HOP = 160
N_FILTERS = 32
KEYWORDS = ["yes", "no", "up", "down", "left", "right", "stop", "go"]
LOG_FLOOR = -18.0


def mel_init(n_filters, n_freq):
    def hz_to_mel(f):
        return 2595 * math.log10(1 + f / 700)
    mels = torch.linspace(hz_to_mel(40), hz_to_mel(SR / 2), n_filters + 2)
    hz = 700 * (10 ** (mels / 2595) - 1)
    bins = torch.linspace(0, SR / 2, n_freq)
    fb = torch.zeros(n_filters, n_freq)
    for m in range(n_filters):
        lo, c, hi = hz[m], hz[m + 1], hz[m + 2]
        fb[m] = torch.clamp(torch.minimum((bins - lo) / (c - lo), (hi - bins) / (hi - c)), min=0)
    return fb


class LearnableFilterbank(nn.Module):
    def __init__(self):
        super().__init__()
        n_freq = N_FFT // 2 + 1
        self.filters = nn.Parameter(mel_init(N_FILTERS, n_freq))
        self.register_buffer("window", torch.hann_window(N_FFT))

    def forward(self, wav):
        frames = wav.unfold(-1, N_FFT, HOP) * self.window
        power = torch.fft.rfft(frames).abs() ** 2
        energy = power @ F.relu(self.filters).t()
        logmel = torch.where(energy > 0, torch.log(energy), torch.full_like(energy, LOG_FLOOR))
        return logmel.transpose(1, 2)


class KWSNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.frontend = LearnableFilterbank()
        self.body = nn.Sequential(
            nn.Conv1d(N_FILTERS, 48, 3, padding=1), nn.BatchNorm1d(48), nn.ReLU(),
            nn.Conv1d(48, 48, 3, padding=1, stride=2), nn.BatchNorm1d(48), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
            nn.Linear(48, len(KEYWORDS)),
        )

    def forward(self, wav):
        return self.body(self.frontend(wav))


class SyntheticCommands(torch.utils.data.Dataset):
    def __init__(self, n=256, seed=7):
        g = torch.Generator().manual_seed(seed)
        self.wavs = torch.zeros(n, CLIP)
        self.labels = torch.randint(0, len(KEYWORDS), (n,), generator=g)
        t = torch.arange(CLIP) / SR
        for i in range(n):
            k = int(self.labels[i])
            dur = int(torch.randint(int(0.55 * CLIP), CLIP + 1, (1,), generator=g))
            f0 = 180 + 60 * k
            sig = sum(torch.sin(2 * math.pi * f0 * h * t[:dur]) / h for h in range(1, 5))
            sig = sig * torch.hann_window(dur) + 0.01 * torch.randn(dur, generator=g)
            self.wavs[i, :dur] = 0.3 * sig

    def __len__(self):
        return len(self.wavs)

    def __getitem__(self, i):
        return self.wavs[i], self.labels[i]


def build_model():
    return KWSNet()


def build_dataset():
    return SyntheticCommands()


def compute_loss(model, batch):
    wav, y = batch
    return F.cross_entropy(model(wav), y)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 100, "seed": 0}
