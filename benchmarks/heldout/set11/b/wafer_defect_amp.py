import argparse

import torch
import torch.nn as nn


class BinaryCrossEntropy(nn.Module):
    def forward(self, logits, target):
        p = torch.sigmoid(logits)
        pos = -target * torch.log(p)
        neg = -(1 - target) * torch.log(1 - p)
        return (pos + neg).mean()


class DefectNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(32, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(1)


def make_wafers(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = 0.1 * torch.randn(n, 1, 16, 16, generator=g)
    y = (torch.rand(n, generator=g) < 0.3).float()
    for i in torch.nonzero(y).flatten().tolist():
        r, c = torch.randint(2, 14, (2,), generator=g).tolist()
        x[i, 0, r - 1:r + 2, c - 1:c + 2] += 2.0
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    args = parser.parse_args()

    torch.manual_seed(0)
    x, y = make_wafers(1024)
    model = DefectNet()
    criterion = BinaryCrossEntropy()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu")
    for step in range(args.steps):
        idx = torch.randint(0, len(x), (64,))
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(x[idx])
            loss = criterion(logits, y[idx])
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if step % 5 == 0:
            print(f"step {step} loss {loss.item():.5f} scale {scaler.get_scale():.0f}")


if __name__ == "__main__":
    main()
