import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

N_CLIPS = 512
BATCH = 32
STEPS = 40
MAX_SHIFT = 8


def synth_spectrograms(n):
    g = torch.Generator().manual_seed(1)
    t = torch.arange(64.0)
    f0 = 4 + 20 * torch.rand(n, 1, generator=g)
    rate = 0.1 + 0.3 * torch.rand(n, 1, generator=g)
    spec = torch.zeros(n, 32, 64)
    for band in range(32):
        spec[:, band] = torch.exp(-((band - f0) ** 2) / 8.0) * (1 + torch.sin(rate * t))
    return spec + 0.05 * torch.randn(n, 32, 64, generator=g)


class Encoder(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(32, 64, 5, padding=2), nn.GELU(),
            nn.Conv1d(64, 64, 5, padding=2), nn.GELU(),
        )
        self.proj = nn.Linear(64, dim)

    def forward(self, x):
        h = self.conv(x).mean(-1)
        return self.proj(h)


def time_shift(x, shift):
    return torch.roll(x, shifts=shift, dims=-1)


def angular_distance(a, b):
    cos = F.cosine_similarity(a, b, dim=-1)
    return torch.acos(cos.clamp(-1.0, 1.0))


def main():
    clips = synth_spectrograms(N_CLIPS)
    enc = Encoder()
    opt = torch.optim.AdamW(enc.parameters(), lr=1e-3, weight_decay=1e-4)
    for step in range(STEPS):
        idx = torch.randint(0, N_CLIPS, (BATCH,))
        anchor = clips[idx]
        shift = int(torch.randint(-MAX_SHIFT, MAX_SHIFT + 1, (1,)))
        view = time_shift(anchor, shift)
        za, zv = enc(anchor), enc(view)
        pos = angular_distance(za, zv).mean()
        neg = angular_distance(za, zv.roll(1, dims=0)).mean()
        loss = pos - 0.5 * neg
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"step {step} shift {shift:+d} pos {pos.item():.4f} neg {neg.item():.4f} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
