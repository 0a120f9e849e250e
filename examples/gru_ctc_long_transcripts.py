"""Keyword transcription with CTC: a strided Conv1d + GRU reads 48 frames of 20 filterbank
features and emits 12 output frames of 8 symbols (blank = 0). Most transcripts hold 2 to 7
symbols, but about 3% of the clips were cut from longer recordings and keep a transcript of
13 to 16 symbols: no alignment to 12 frames exists, nn.CTCLoss returns Inf
(zero_infinity=False is the default) and its gradient is NaN.
Cause: data.ctc_target_too_long
"""
import torch
from torch import nn
import torch.nn.functional as F

FRAMES, FEATS, SYMBOLS, MAX_LEN = 48, 20, 8, 16


class Transcriber(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(FEATS, 32, kernel_size=4, stride=4)    # 48 frames -> 12
        self.gru = nn.GRU(32, 32, batch_first=True)
        self.out = nn.Linear(32, SYMBOLS)

    def forward(self, x):                                     # x: (batch, FRAMES, FEATS)
        h = F.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
        h, _ = self.gru(h)
        return self.out(h).log_softmax(-1).transpose(0, 1)    # (T, batch, SYMBOLS)


def build_model():
    return Transcriber()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 640
    lengths = torch.randint(2, 8, (n,), generator=g)
    long_clip = torch.rand(n, generator=g) < 0.03
    lengths[long_clip] = torch.randint(13, MAX_LEN + 1, (int(long_clip.sum()),), generator=g)
    targets = torch.randint(1, SYMBOLS, (n, MAX_LEN), generator=g)
    targets[torch.arange(MAX_LEN)[None, :] >= lengths[:, None]] = 0
    x = torch.randn(n, FRAMES, FEATS, generator=g)
    x[:, :, :SYMBOLS] += F.one_hot(targets[:, torch.arange(FRAMES) * MAX_LEN // FRAMES], SYMBOLS).float()
    return torch.utils.data.TensorDataset(x, targets, lengths)


def compute_loss(model, batch):
    x, targets, lengths = batch
    log_probs = model(x)
    input_lengths = torch.full((x.shape[0],), log_probs.shape[0], dtype=torch.long)
    return F.ctc_loss(log_probs, targets, input_lengths, lengths, blank=0)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 120, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}
