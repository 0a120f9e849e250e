import torch
from torch import nn
import torch.nn.functional as F


class SensorWindows(torch.utils.data.IterableDataset):
    def __init__(self, n_patterns=4096, dim=48, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.patterns = torch.randn(n_patterns, dim, generator=g)
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed + 1)
        while True:
            k = int(torch.randint(0, len(self.patterns), (1,), generator=g))
            base = self.patterns[k]
            view1 = base * (1 + 0.1 * torch.randn(base.shape, generator=g)) + 0.1 * torch.randn(base.shape, generator=g)
            view2 = base.roll(int(torch.randint(-2, 3, (1,), generator=g))) + 0.1 * torch.randn(base.shape, generator=g)
            yield view1, view2


class Encoder(nn.Module):
    def __init__(self, dim=48, hidden=128, proj=32):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(dim, hidden), nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, proj)

    def forward(self, x):
        return F.normalize(self.head(self.backbone(x)), dim=-1)


def nt_xent(z1, z2, temperature):
    z = torch.cat([z1, z2])
    n = z1.shape[0]
    sim = z @ z.t() / temperature
    self_mask = torch.eye(2 * n, dtype=torch.bool)
    sim = sim.masked_fill(self_mask, float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def main():
    torch.manual_seed(0)
    loader = torch.utils.data.DataLoader(SensorWindows(), batch_size=32)
    model = Encoder()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    accum = 2
    temperature = 0.05
    micro = 0
    step = 0
    opt.zero_grad()
    for v1, v2 in loader:
        loss = nt_xent(model(v1), model(v2), temperature) / accum
        loss.backward()
        micro += 1
        if micro % accum == 0:
            opt.step()
            opt.zero_grad()
            if step % 10 == 0:
                print(f"step {step} loss {loss.item() * accum:.6f}")
            step += 1
            if step == 120:
                break


if __name__ == "__main__":
    main()
