import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(21)

LATENT_VARS = 8
CATEGORIES = 10


def binarized_blobs(n=1024, side=12):
    g = torch.Generator().manual_seed(2)
    yy, xx = torch.meshgrid(torch.arange(side), torch.arange(side), indexing="ij")
    cx = torch.randint(2, side - 2, (n, 1, 1), generator=g)
    cy = torch.randint(2, side - 2, (n, 1, 1), generator=g)
    r = torch.randint(2, 5, (n, 1, 1), generator=g)
    img = (((xx - cx) ** 2 + (yy - cy) ** 2) <= r ** 2).float()
    return img.view(n, -1)


class GumbelVAE(nn.Module):
    def __init__(self, d=144):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, 256), nn.ReLU(), nn.Linear(256, LATENT_VARS * CATEGORIES))
        self.dec = nn.Sequential(nn.Linear(LATENT_VARS * CATEGORIES, 256), nn.ReLU(), nn.Linear(256, d))

    def sample(self, logits, tau):
        u = torch.rand_like(logits)
        gumbel = -torch.log(-torch.log(u + 1e-20) + 1e-20)
        y = torch.exp((logits + gumbel) / tau)
        return y / y.sum(dim=-1, keepdim=True)

    def forward(self, x, tau):
        logits = self.enc(x).view(-1, LATENT_VARS, CATEGORIES)
        z = self.sample(logits, tau)
        recon = self.dec(z.view(-1, LATENT_VARS * CATEGORIES))
        return recon, logits


def kl_to_uniform(logits):
    q = F.softmax(logits, dim=-1)
    return (q * (F.log_softmax(logits, dim=-1) + math.log(CATEGORIES))).sum(dim=(1, 2)).mean()


def main():
    data = binarized_blobs()
    loader = DataLoader(TensorDataset(data), batch_size=64, shuffle=True)
    model = GumbelVAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    tau0, tau_min, anneal = 1.0, 0.02, 0.03
    accum = 2
    step = 0
    for epoch in range(11):
        opt.zero_grad()
        for i, (x,) in enumerate(loader):
            tau = max(tau_min, tau0 * math.exp(-anneal * step))
            recon, logits = model(x, tau)
            rec = F.binary_cross_entropy_with_logits(recon, x, reduction="sum") / x.size(0)
            loss = (rec + kl_to_uniform(logits)) / accum
            loss.backward()
            if (i + 1) % accum == 0:
                opt.step()
                opt.zero_grad()
                step += 1
        print(f"epoch {epoch} step {step} tau {tau:.3f} loss {loss.item() * accum:.3f}")


if __name__ == "__main__":
    main()
