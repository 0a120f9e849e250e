import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(4)

ACCUM_STEPS = 2
MICRO_BATCH = 32
EPOCHS = 2


def make_blob_images(n, gen):
    yy, xx = torch.meshgrid(torch.arange(20.0), torch.arange(20.0), indexing="ij")
    cx = torch.rand(n, 1, 1, generator=gen) * 10 + 5
    cy = torch.rand(n, 1, 1, generator=gen) * 10 + 5
    r = torch.rand(n, 1, 1, generator=gen) * 4 + 3
    img = torch.sigmoid((r ** 2 - (xx - cx) ** 2 - (yy - cy) ** 2) / 4.0)
    return img.view(n, 400)


class VAE(nn.Module):
    def __init__(self, latent=16):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(400, 200), nn.ReLU())
        self.mu = nn.Linear(200, latent)
        self.logvar = nn.Linear(200, latent)
        self.dec = nn.Sequential(nn.Linear(latent, 200), nn.ReLU(), nn.Linear(200, 400))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


def vae_loss(recon_logits, x, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


gen = torch.Generator().manual_seed(4)
data = make_blob_images(1024, gen)

model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scaler = torch.amp.GradScaler("cpu")

update = 0
for epoch in range(EPOCHS):
    perm = torch.randperm(len(data))
    for i, start in enumerate(range(0, len(data), MICRO_BATCH)):
        x = data[perm[start : start + MICRO_BATCH]]
        with torch.autocast("cpu", dtype=torch.float16):
            recon, mu, logvar = model(x)
            loss = vae_loss(recon, x, mu, logvar) / ACCUM_STEPS
        scaler.scale(loss).backward()

        if (i + 1) % ACCUM_STEPS == 0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=100.0)
            optimizer.step()
            scaler.update()
            optimizer.zero_grad()
            if update % 10 == 0:
                print(f"epoch {epoch} update {update} loss/img {loss.item() * ACCUM_STEPS / len(x):.2f} scale {scaler.get_scale():.0f}")
            update += 1
