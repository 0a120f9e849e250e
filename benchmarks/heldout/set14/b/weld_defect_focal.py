import argparse
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_weld_features(n, gen):
    # 24 ultrasonic/thermal summary features per weld seam; ~15% defective
    y = (torch.rand(n, generator=gen) < 0.15).float()
    x = torch.randn(n, 24, generator=gen)
    x[:, :6] += 2.5 * y.unsqueeze(1)
    x[:, 6:9] -= 1.5 * y.unsqueeze(1)
    return x, y


class FocalLoss(nn.Module):
    def __init__(self, alpha=0.25, gamma=2.0, eps=1e-8):
        super().__init__()
        self.alpha, self.gamma, self.eps = alpha, gamma, eps

    def forward(self, logits, target):
        p = torch.sigmoid(logits)
        pos = -self.alpha * target * (1 - p) ** self.gamma * torch.log(p + self.eps)
        neg = -(1 - self.alpha) * (1 - target) * p ** self.gamma * torch.log(1 - p + self.eps)
        return (pos + neg).mean()


class DefectNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(24, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1)
        )

    def forward(self, x):
        return self.mlp(x).squeeze(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--no-amp", action="store_true")
    args = ap.parse_args()
    use_amp = not args.no_amp

    torch.manual_seed(2)
    gen = torch.Generator().manual_seed(2)
    x, y = make_weld_features(3000, gen)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, generator=gen)

    model = DefectNet()
    criterion = FocalLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu", enabled=use_amp)

    step = 0
    for epoch in range(args.epochs):
        for xb, yb in loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16, enabled=use_amp):
                logits = model(xb)
                loss = criterion(logits, yb)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.5f} scale {scaler.get_scale():.0f}")
            step += 1


if __name__ == "__main__":
    main()
