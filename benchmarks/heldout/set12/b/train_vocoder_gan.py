import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


class Generator(nn.Module):
    def __init__(self, n_mels=16, ch=32, upsample=(4, 4)):
        super().__init__()
        self.pre = nn.Conv1d(n_mels, ch, 7, padding=3)
        ups = []
        for r in upsample:
            ups += [nn.LeakyReLU(0.1), nn.ConvTranspose1d(ch, ch // 2, 2 * r, stride=r, padding=r // 2)]
            ch //= 2
        self.ups = nn.Sequential(*ups)
        self.post = nn.Sequential(nn.LeakyReLU(0.1), nn.Conv1d(ch, 1, 7, padding=3), nn.Tanh())

    def forward(self, mel):
        return self.post(self.ups(self.pre(mel)))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([
            nn.Conv1d(1, 16, 15, padding=7),
            nn.Conv1d(16, 32, 41, stride=4, groups=4, padding=20),
            nn.Conv1d(32, 32, 41, stride=4, groups=8, padding=20),
            nn.Conv1d(32, 32, 5, padding=2),
        ])
        self.out = nn.Conv1d(32, 1, 3, padding=1)

    def forward(self, wav):
        fmaps = []
        x = wav
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.1)
            fmaps.append(x)
        return self.out(x), fmaps


def mel_like(wav, n_bands=16, hop=16):
    frames = wav.squeeze(1).unfold(-1, 64, hop)
    spec = torch.fft.rfft(frames * torch.hann_window(64), dim=-1).abs()
    bands = F.adaptive_avg_pool1d(spec, n_bands)
    return torch.log(bands.clamp(min=1e-5)).transpose(1, 2)


def synthetic_batch(g, batch=4, n_samples=512):
    t = torch.arange(n_samples) / 8000.0
    f0 = 110 + 220 * torch.rand(batch, 1, generator=g)
    wav = 0.5 * torch.sin(2 * torch.pi * f0 * t) + 0.2 * torch.sin(4 * torch.pi * f0 * t)
    wav = wav + 0.01 * torch.randn(wav.shape, generator=g)
    wav = wav.unsqueeze(1)
    mel = mel_like(wav)
    mel = F.interpolate(mel, size=n_samples // 16, mode="linear", align_corners=False)
    return mel, wav


def discriminator_loss(real_out, fake_out):
    return torch.mean((1 - real_out) ** 2) + torch.mean(fake_out ** 2)


def generator_loss(fake_out):
    return torch.mean((1 - fake_out) ** 2)


def feature_loss(fmap_r, fmap_g):
    return sum(torch.mean(torch.abs(r.detach() - g)) for r, g in zip(fmap_r, fmap_g)) * 2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--c-mel", type=float, default=45.0)
    args = parser.parse_args()

    torch.manual_seed(1234)
    g = torch.Generator().manual_seed(1234)
    net_g, net_d = Generator(), Discriminator()
    optim_g = torch.optim.AdamW(net_g.parameters(), args.lr, betas=(0.8, 0.99), eps=1e-9)
    optim_d = torch.optim.AdamW(net_d.parameters(), args.lr, betas=(0.8, 0.99), eps=1e-9)
    scaler = torch.amp.GradScaler("cpu")

    for global_step in range(args.steps):
        mel, wav = synthetic_batch(g)
        with torch.autocast("cpu", dtype=torch.float16):
            y_hat = net_g(mel)
            y_d_r, _ = net_d(wav)
            y_d_g, _ = net_d(y_hat.detach())
            loss_disc = discriminator_loss(y_d_r.float(), y_d_g.float())

        optim_d.zero_grad()
        scaler.scale(loss_disc).backward()
        scaler.unscale_(optim_d)
        grad_norm_d = nn.utils.clip_grad_norm_(net_d.parameters(), 1000.0)
        scaler.step(optim_d)

        with torch.autocast("cpu", dtype=torch.float16):
            y_d_r, fmap_r = net_d(wav)
            y_d_g, fmap_g = net_d(y_hat)
            loss_mel = F.l1_loss(mel_like(wav.float()), mel_like(y_hat.float())) * args.c_mel
            loss_fm = feature_loss(fmap_r, fmap_g)
            loss_gen = generator_loss(y_d_g.float())
            loss_gen_all = loss_gen + loss_fm + loss_mel

        optim_g.zero_grad()
        scaler.scale(loss_gen_all).backward()
        scaler.unscale_(optim_g)
        grad_norm_g = nn.utils.clip_grad_norm_(net_g.parameters(), 1000.0)
        scaler.step(optim_g)
        scaler.update()

        optim_g.step()
        optim_d.step()

        if global_step % 2 == 0:
            print(f"step {global_step} loss_disc {loss_disc.item():.3f} loss_gen {loss_gen.item():.3f} "
                  f"loss_fm {loss_fm.item():.3f} loss_mel {loss_mel.item():.3f} "
                  f"grad_norm_d {grad_norm_d.item():.2f} grad_norm_g {grad_norm_g.item():.2f} scale {scaler.get_scale():.0f}")


if __name__ == "__main__":
    main()
