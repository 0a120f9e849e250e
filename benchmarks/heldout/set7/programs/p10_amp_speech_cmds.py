import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader


def make_spectrograms(n=640, n_classes=6, mels=20, frames=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, n_classes, (n,), generator=g)
    base = torch.randn(n_classes, mels, 1, generator=g)
    x = base[y] * torch.linspace(0.5, 1.5, frames) + 0.5 * torch.randn(n, mels, frames, generator=g)
    return x.unsqueeze(1), y


class KeywordCNN(nn.Module):
    def __init__(self, n_classes=6):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--init-scale", type=float, default=2.0 ** 24)
    args = ap.parse_args()

    torch.manual_seed(0)
    x, y = make_spectrograms()
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = KeywordCNN()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * len(loader))
    scaler = torch.amp.GradScaler("cpu", init_scale=args.init_scale)

    step = 0
    for epoch in range(args.epochs):
        for xb, yb in loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(xb)
                loss = F.cross_entropy(logits.float(), yb)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} grad_norm {gnorm.item():.3f} scale {scaler.get_scale():.0f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
