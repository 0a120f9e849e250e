import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

INTERVAL = 200


class CoverageIntervals(Dataset):
    """Low-coverage ATAC-seq tracks (input) and matching high-coverage tracks (target)."""

    def __init__(self, n=160, seed=0):
        g = torch.Generator().manual_seed(seed)
        pos = torch.arange(INTERVAL, dtype=torch.float32)
        self.noisy, self.clean = [], []
        for i in range(n):
            n_peaks = int(torch.randint(1, 4, (1,), generator=g))
            if float(torch.rand(1, generator=g)) < 0.02:
                n_peaks = 0
            clean = torch.zeros(INTERVAL)
            for _ in range(n_peaks):
                c = float(torch.randint(20, INTERVAL - 20, (1,), generator=g))
                h = float(5 + 20 * torch.rand(1, generator=g))
                clean += h * torch.exp(-0.5 * ((pos - c) / 6.0) ** 2)
            clean = torch.round(clean)
            noisy = torch.poisson(0.2 * clean + 0.05, generator=g)
            self.noisy.append(noisy)
            self.clean.append(clean)

    def __len__(self):
        return len(self.noisy)

    def __getitem__(self, i):
        return self.noisy[i].unsqueeze(0), self.clean[i]


class ResBlock(nn.Module):
    def __init__(self, ch, k=9, dil=1):
        super().__init__()
        self.c1 = nn.Conv1d(ch, ch, k, padding=dil * (k // 2), dilation=dil)
        self.c2 = nn.Conv1d(ch, ch, k, padding=dil * (k // 2), dilation=dil)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(x + self.c2(self.act(self.c1(x))))


class DenoiseNet(nn.Module):
    def __init__(self, ch=16):
        super().__init__()
        self.inp = nn.Conv1d(1, ch, 9, padding=4)
        self.blocks = nn.Sequential(ResBlock(ch, dil=1), ResBlock(ch, dil=2), ResBlock(ch, dil=4))
        self.out = nn.Conv1d(ch, 1, 1)

    def forward(self, x):
        return torch.relu(self.out(self.blocks(torch.relu(self.inp(x))))).squeeze(1)


class PearsonLoss(nn.Module):
    def forward(self, input, targets):
        xm = input - input.mean(dim=1, keepdim=True)
        ym = targets - targets.mean(dim=1, keepdim=True)
        r_num = (xm * ym).sum(dim=1)
        r_den = torch.sqrt((xm ** 2).sum(dim=1)) * torch.sqrt((ym ** 2).sum(dim=1))
        r = r_num / r_den
        return 1.0 - r.mean()


def main():
    torch.manual_seed(0)
    ds = CoverageIntervals()
    loader = DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    model = DenoiseNet()
    mse = nn.MSELoss()
    pearson = PearsonLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-4)
    step = 0
    for epoch in range(3):
        for noisy, clean in loader:
            pred = model(noisy)
            loss = mse(pred, clean) + 1.0 * pearson(pred, clean)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    main()
