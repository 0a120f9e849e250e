import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class StoreDays(Dataset):
    def __init__(self, n=1500, seed=4):
        g = torch.Generator().manual_seed(seed)
        self.feats = torch.randn(n, 10, generator=g)
        base = 120 + 40 * self.feats[:, 0] + 15 * self.feats[:, 1] ** 2
        self.units = (base + 5 * torch.randn(n, generator=g)).clamp_min(1.0).round()
        closed = torch.rand(n, generator=g) < 0.004
        self.units[closed] = 0.0

    def __len__(self):
        return len(self.units)

    def __getitem__(self, i):
        return self.feats[i], self.units[i]


def mape(pred, target):
    return (torch.abs(pred - target) / target).mean()


def main():
    torch.manual_seed(0)
    data = StoreDays()
    loader = DataLoader(data, batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(10, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(100.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    warmup = 50
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup))

    step = 0
    for epoch in range(3):
        for x, y in loader:
            pred = model(x).squeeze(-1)
            loss = mape(pred, y)
            optimizer.zero_grad()
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step:3d}  mape {100 * loss.item():6.2f}%  grad_norm {gnorm:.3f}")
            step += 1


if __name__ == "__main__":
    main()
