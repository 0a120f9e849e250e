import argparse
import torch
from torch import nn


def synth_spectrograms(n, n_freq, n_frames, gen):
    t = torch.linspace(0, 1, n_frames)
    f0 = torch.rand(n, 1, generator=gen) * 0.6 + 0.2
    bins = torch.linspace(0, 1, n_freq)
    clean = torch.exp(-((bins[None, :, None] - f0[:, :, None] * (1 + 0.2 * torch.sin(6 * t))[None, None, :]) ** 2) / 0.002)
    clean = clean * (torch.rand(n, 1, 1, generator=gen) * 4 + 1)
    noisy = clean + 0.3 * torch.rand(clean.shape, generator=gen)
    return noisy.flatten(1), clean.flatten(1)


class Denoiser(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, dim)
        )

    def forward(self, x):
        return x - self.net(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    torch.manual_seed(12)
    gen = torch.Generator().manual_seed(12)
    noisy, clean = synth_spectrograms(640, 32, 16, gen)
    ds = torch.utils.data.TensorDataset(noisy, clean)
    loader = torch.utils.data.DataLoader(ds, batch_size=args.batch_size, shuffle=True, generator=gen)

    model = Denoiser(noisy.shape[1])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=2e-3, total_steps=args.epochs * len(loader)
    )
    scaler = torch.amp.GradScaler("cpu")
    criterion = nn.MSELoss(reduction="sum")

    step = 0
    for epoch in range(args.epochs):
        for x, y in loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                loss = criterion(model(x), y)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), 50.0)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            if step < 8 or step % 15 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.2f} grad_norm {grad_norm.item():.3g} scale {scaler.get_scale():.0f}")
            step += 1


if __name__ == "__main__":
    main()
