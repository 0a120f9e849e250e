import torch
from torch import nn
import torch.nn.functional as F

N_CLIPS = 600
FRAMES = 64
BINS = 80
COMPRESS = 0.3


class NoisySpeech(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(47)
        formants = torch.rand(12, BINS, generator=g) ** 4
        self.noisy, self.clean = [], []
        for _ in range(N_CLIPS):
            n_frames = FRAMES if float(torch.rand(1, generator=g)) > 0.06 else int(torch.randint(20, FRAMES, (1,), generator=g))
            which = torch.randint(0, 12, (n_frames,), generator=g)
            energy = 0.5 + torch.rand(n_frames, 1, generator=g)
            clean = formants[which] * energy + 0.01 * torch.rand(n_frames, BINS, generator=g)
            noise = 0.2 * torch.rand(n_frames, BINS, generator=g) * torch.linspace(1.0, 0.2, BINS)
            noisy = clean + noise
            pad = FRAMES - n_frames
            self.clean.append(F.pad(clean, (0, 0, 0, pad)))
            self.noisy.append(F.pad(noisy, (0, 0, 0, pad)))

    def __len__(self):
        return N_CLIPS

    def __getitem__(self, i):
        return self.noisy[i], self.clean[i]


class MaskEstimator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(BINS, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, BINS),
        )

    def forward(self, noisy_mag):
        mask = torch.sigmoid(self.net(torch.log1p(noisy_mag)))
        return mask * noisy_mag


def build_dataset():
    return NoisySpeech()


def build_model():
    return MaskEstimator()


def compute_loss(model, batch):
    noisy, clean = batch
    enhanced = model(noisy)
    return F.mse_loss(enhanced ** COMPRESS, clean ** COMPRESS)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 150}
