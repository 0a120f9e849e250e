import torch
import torch.nn as nn
import torch.nn.functional as F

BANDS = 96
LATENT = 8


def synth_spectra(n=6000, seed=4):
    g = torch.Generator().manual_seed(seed)
    wavelengths = torch.linspace(0, 1, BANDS)
    endmembers = torch.stack([
        torch.exp(-((wavelengths - c) ** 2) / (2 * w ** 2))
        for c, w in [(0.2, 0.08), (0.45, 0.15), (0.7, 0.05), (0.85, 0.2), (0.3, 0.3)]
    ])
    abundances = torch.distributions.Dirichlet(torch.ones(5)).sample((n,))
    spectra = 4.0 * abundances @ endmembers + 0.02 * torch.randn(n, BANDS, generator=g)
    return spectra


class SpectralAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(BANDS, 256), nn.SiLU(), nn.Linear(256, 64), nn.SiLU(), nn.Linear(64, LATENT))
        self.decoder = nn.Sequential(nn.Linear(LATENT, 64), nn.SiLU(), nn.Linear(64, 256), nn.SiLU(), nn.Linear(256, BANDS))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    torch.manual_seed(0)
    spectra = synth_spectra()
    train, val = spectra[:5000], spectra[5000:]

    model = SpectralAutoencoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler("cpu")
    batch_size = 128

    step = 0
    for epoch in range(4):
        perm = torch.randperm(len(train))
        for start in range(0, len(train), batch_size):
            xb = train[perm[start:start + batch_size]]
            with torch.autocast("cpu", dtype=torch.float16):
                recon = model(xb)
                loss = F.mse_loss(recon, xb, reduction="sum") / xb.shape[0]
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            scale_before = scaler.get_scale()
            scaler.step(optimizer)
            scaler.update()
            if step % 10 == 0 or scaler.get_scale() < scale_before:
                print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f} grad_norm {grad_norm.item():.3e} scale {scaler.get_scale():.0f}")
            step += 1

        with torch.no_grad():
            val_loss = F.mse_loss(model(val), val, reduction="sum").item() / len(val)
        print(f"epoch {epoch} val recon {val_loss:.4f}")


if __name__ == "__main__":
    main()
