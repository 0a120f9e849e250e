import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def make_wafer_maps(n=768, size=24, seed=8):
    """Synthetic wafer-map inspection images: 0 = clean, 1 = scratch, 2 = ring, 3 = cluster."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    r = torch.sqrt(xx ** 2 + yy ** 2)
    imgs, labels = [], []
    for _ in range(n):
        c = int(torch.randint(0, 4, (1,), generator=g))
        img = 0.1 * torch.randn(size, size, generator=g)
        if c == 1:
            a = torch.rand(1, generator=g) * 3.14
            img += (torch.abs(torch.cos(a) * yy - torch.sin(a) * xx) < 0.08).float()
        elif c == 2:
            img += ((r > 0.75) & (r < 0.9)).float()
        elif c == 3:
            cx, cy = (torch.rand(2, generator=g) - 0.5).tolist()
            img += (((xx - cx) ** 2 + (yy - cy) ** 2) < 0.05).float()
        imgs.append(img * (r < 1).float())
        labels.append(c)
    return torch.stack(imgs).unsqueeze(1), torch.tensor(labels)


class WaferNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(64, 4)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def main():
    torch.manual_seed(0)
    x, y = make_wafer_maps()
    train_loader = DataLoader(TensorDataset(x[:640], y[:640]), batch_size=64, shuffle=True,
                              generator=torch.Generator().manual_seed(0))
    val_x, val_y = x[640:], y[640:]

    model = WaferNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    epochs = 3
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=epochs * len(train_loader))
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(xb)
                loss = F.cross_entropy(logits, yb, reduction="sum")
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=50.0)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            print(f"step {step} loss {loss.item():.3f} grad_norm {grad_norm.item():.3f} scale {scaler.get_scale():.0f}")
            step += 1
        model.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.float16):
            acc = (model(val_x).argmax(1) == val_y).float().mean().item()
        print(f"epoch {epoch} val acc {acc:.3f}")


if __name__ == "__main__":
    main()
