import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


class LocalContextNorm(nn.Module):
    def __init__(self, num_features, window_size=7, eps=1e-5):
        super().__init__()
        self.window_size = window_size
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(1, num_features, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, num_features, 1, 1))

    def forward(self, x):
        k = self.window_size
        n = k * k
        sums = F.avg_pool2d(x, k, stride=1, padding=k // 2, count_include_pad=False) * n
        squares = F.avg_pool2d(x * x, k, stride=1, padding=k // 2, count_include_pad=False) * n
        means = sums / n
        var = (squares - sums * sums / n) / n
        x = (x - means) / torch.sqrt(var + self.eps)
        return x * self.weight + self.bias


class TileNet(nn.Module):
    def __init__(self, num_classes=3):
        super().__init__()
        self.norm = LocalContextNorm(1)
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(32 * 8 * 8, num_classes)

    def forward(self, x):
        x = self.norm(x)
        x = self.features(x)
        return self.head(x.flatten(1))


def make_tiles(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (n,), generator=g)
    yy, xx = torch.meshgrid(torch.arange(32.0), torch.arange(32.0), indexing="ij")
    tiles = torch.empty(n, 1, 32, 32)
    for i in range(n):
        kind = int(labels[i])
        if kind == 0:  # background tile: slide glass, nearly uniform
            base = 225.0 + 10.0 * torch.rand(1, generator=g)
            tiles[i, 0] = base + 0.5 * torch.rand(32, 32, generator=g)
        elif kind == 1:  # stained nuclei blobs
            img = torch.full((32, 32), 200.0)
            for _ in range(4):
                cy, cx = torch.randint(4, 28, (2,), generator=g).tolist()
                img -= 120.0 * torch.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 12.0)
            tiles[i, 0] = img + 8.0 * torch.randn(32, 32, generator=g)
        else:  # fibrous tissue stripes
            f = 0.3 + 0.4 * torch.rand(1, generator=g)
            tiles[i, 0] = 150.0 + 60.0 * torch.sin(f * (xx + yy)) + 8.0 * torch.randn(32, 32, generator=g)
    return tiles.clamp(0, 255), labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    x, y = make_tiles(256)
    model = TileNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(x[idx])
            loss = F.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 4 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
