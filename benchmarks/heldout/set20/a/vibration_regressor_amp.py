import numpy as np
import torch
import torch.nn as nn

ACCUM_STEPS = 4
MICRO_BATCH = 32


def make_spectra(n, n_bins=128, seed=1):
    rng = np.random.default_rng(seed)
    freqs = np.linspace(0, 1, n_bins)
    rpm = rng.uniform(600, 3600, n)
    load = rng.uniform(0, 1, n)
    spectra = np.exp(-((freqs[None, :] - (rpm[:, None] / 4000.0)) ** 2) / 0.002)
    spectra += load[:, None] * np.exp(-((freqs[None, :] - 0.8) ** 2) / 0.01)
    spectra += rng.normal(0, 0.05, spectra.shape)
    wear_um = 40.0 * load + rpm / 100.0 + rng.normal(0, 1.0, n)
    return spectra.astype(np.float32), wear_um.astype(np.float32)


class WearNet(nn.Module):
    def __init__(self, n_bins=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_bins, 256), nn.SiLU(),
            nn.Linear(256, 256), nn.SiLU(),
            nn.Linear(256, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main():
    torch.manual_seed(1)
    X, y = make_spectra(4096)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    model = WearNet()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler("cpu")
    loss_fn = nn.MSELoss()

    n_micro = len(X) // MICRO_BATCH
    update = 0
    for epoch in range(3):
        perm = torch.randperm(len(X))
        opt.zero_grad(set_to_none=True)
        for m in range(n_micro):
            idx = perm[m * MICRO_BATCH:(m + 1) * MICRO_BATCH]
            with torch.autocast("cpu", dtype=torch.float16):
                pred = model(X[idx])
                loss = loss_fn(pred.float(), y[idx]) / ACCUM_STEPS
            scaler.scale(loss).backward()
            if (m + 1) % ACCUM_STEPS == 0:
                scaler.unscale_(opt)
                gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
                scale_before = scaler.get_scale()
                scaler.step(opt)
                scaler.update()
                opt.zero_grad(set_to_none=True)
                if update < 12 or update % 20 == 0:
                    print(f"epoch {epoch} update {update} loss {loss.item() * ACCUM_STEPS:.3f} "
                          f"grad-norm {gnorm.item():.3e} scale {scale_before:.0f}")
                update += 1


if __name__ == "__main__":
    main()
