import torch
import torch.nn as nn
from torch.utils.data import IterableDataset, DataLoader

LEVELS = 16
SPECIES = ["O3", "NO2", "CO", "HCHO"]


def simulate_columns(n=4096, seed=3):
    g = torch.Generator().manual_seed(seed)
    temp = 290 - 6.5 * torch.arange(LEVELS).float()[None] + 3 * torch.randn(n, LEVELS, generator=g)
    pres = torch.logspace(3, 1, LEVELS)[None].expand(n, -1)
    chem = []
    for k, sp in enumerate(SPECIES):
        c = torch.rand(n, LEVELS, generator=g) * (k + 1) * 1e-3
        if sp == "HCHO":
            c[:, 12:] = 0.0
        chem.append(c)
    x = torch.cat([temp, pres, *chem], dim=1)
    tendency = (chem[0] * 0.3 - chem[1] * 0.1 + 1e-3 * torch.tanh((temp - 250) / 20)).sum(1, keepdim=True)
    return x, tendency * 100


class ColumnStream(IterableDataset):
    def __init__(self, x, y, mean, std):
        self.x, self.y, self.mean, self.std = x, y, mean, std

    def __iter__(self):
        for i in range(self.x.shape[0]):
            yield (self.x[i] - self.mean) / self.std, self.y[i]


def main():
    torch.manual_seed(0)
    x, y = simulate_columns()
    mean = x.mean(dim=0)
    std = x.std(dim=0)
    train = ColumnStream(x, y, mean, std)
    loader = DataLoader(train, batch_size=128)

    model = nn.Sequential(
        nn.Linear(x.shape[1], 128), nn.GELU(),
        nn.Linear(128, 128), nn.GELU(),
        nn.Linear(128, 1),
    )
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=64)
    for epoch in range(2):
        total = 0.0
        for step, (xb, yb) in enumerate(loader):
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.5f}")
        print(f"epoch {epoch} mean loss {total / (step + 1):.5f}")


if __name__ == "__main__":
    main()
