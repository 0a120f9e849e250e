import math
import torch
import torch.nn as nn

torch.manual_seed(1234)

N_FFT = 128
HOP = 64
SR = 8000


def synth_utterance(n_samples, g):
    t = torch.arange(n_samples) / SR
    f0 = 120 + 80 * torch.rand(1, generator=g)
    voiced = sum(torch.sin(2 * math.pi * f0 * k * t) / k for k in range(1, 6))
    env = torch.sigmoid(torch.sin(2 * math.pi * 3 * t) * 4)
    return 0.3 * voiced * env


def make_batch(batch_size, g, max_len=4000):
    clean = torch.zeros(batch_size, max_len)
    lengths = torch.randint(2000, max_len + 1, (batch_size,), generator=g)
    for i, n in enumerate(lengths.tolist()):
        clean[i, :n] = synth_utterance(n, g)
    noise = 0.1 * torch.randn(batch_size, max_len, generator=g)
    mask = (torch.arange(max_len)[None] < lengths[:, None]).float()
    noisy = clean + noise * mask
    return noisy, clean


def stft(x):
    win = torch.hann_window(N_FFT)
    return torch.stft(x, N_FFT, HOP, window=win, return_complex=True, center=False)


class MaskNet(nn.Module):
    def __init__(self, n_freq=N_FFT // 2 + 1, hidden=128):
        super().__init__()
        self.gru = nn.GRU(n_freq, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_freq)

    def forward(self, mag):
        h, _ = self.gru(torch.log1p(mag).transpose(1, 2))
        return torch.sigmoid(self.fc(h)).transpose(1, 2)


def compressed_spectral_loss(est, ref, c=0.3):
    est_pow = est.real ** 2 + est.imag ** 2
    ref_pow = ref.real ** 2 + ref.imag ** 2
    est_c = est_pow.pow(c / 2)
    ref_c = ref_pow.pow(c / 2)
    return ((est_c - ref_c) ** 2).mean()


def main():
    g = torch.Generator().manual_seed(0)
    model = MaskNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(30):
        noisy, clean = make_batch(8, g)
        N = stft(noisy)
        S = stft(clean)
        m = model(N.abs())
        est = m * N
        loss = compressed_spectral_loss(est, S)
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"step {step:3d} loss {loss.item():.5f}")


if __name__ == "__main__":
    main()
