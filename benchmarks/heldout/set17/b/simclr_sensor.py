import torch
import torch.nn.functional as F
from torch import nn


def make_views(x, g):
    noise = 0.05 * torch.randn(x.shape, generator=g)
    scale = 1 + 0.1 * torch.randn(x.size(0), 1, generator=g)
    return x * scale + noise


class Encoder(nn.Module):
    def __init__(self, d_in=20, d=64):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
        self.head = nn.Linear(128, d)

    def forward(self, x):
        return self.head(self.backbone(x))


def nt_xent(z1, z2, temperature=0.05):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / temperature
    n = z1.size(0)
    self_mask = torch.eye(2 * n, dtype=torch.bool)
    sim = sim.masked_fill(self_mask, float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets), sim


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(9)
    data = torch.randn(2048, 20, generator=g) * 3
    model = Encoder()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    step = 0
    for epoch in range(3):
        perm = torch.randperm(len(data), generator=g)
        for i in range(0, len(data), 128):
            x = data[perm[i:i + 128]]
            z1, z2 = model(make_views(x, g)), model(make_views(x, g))
            loss, sim = nt_xent(z1, z2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 16 == 0:
                finite = sim[torch.isfinite(sim)]
                print(f"epoch {epoch} step {step} loss {loss.item():.5f} "
                      f"logit range [{sim.min().item()}, {finite.max().item():.1f}]")
            step += 1


if __name__ == "__main__":
    main()
