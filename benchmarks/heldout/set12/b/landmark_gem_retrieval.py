import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class LandmarkPhotos(Dataset):
    """Synthetic stand-in for a landmark photo dump: each landmark has its own colour/texture pattern."""

    def __init__(self, n_per_class=16, n_classes=8, size=32, seed=3):
        g = torch.Generator().manual_seed(seed)
        protos = torch.rand(n_classes, 3, size, size, generator=g)
        imgs, labels = [], []
        for c in range(n_classes):
            for _ in range(n_per_class):
                shift = torch.randint(-4, 5, (2,), generator=g).tolist()
                img = torch.roll(protos[c], shifts=shift, dims=(1, 2))
                img = img * (0.8 + 0.4 * torch.rand(1, generator=g)) + 0.05 * torch.randn(img.shape, generator=g)
                imgs.append(img.clamp(0, 1))
                labels.append(c)
        self.imgs = torch.stack(imgs)
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.imgs[i], self.labels[i]


class GeM(nn.Module):
    def __init__(self, p=3.0):
        super().__init__()
        self.p = nn.Parameter(torch.ones(1) * p)

    def forward(self, x):
        return x.pow(self.p).mean(dim=(-2, -1)).pow(1.0 / self.p)


class RetrievalNet(nn.Module):
    def __init__(self, n_classes, dim=64):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, dim, 3, padding=1), nn.ReLU(),
        )
        self.pool = GeM()
        self.head = nn.Linear(dim, n_classes)

    def embed(self, x):
        return F.normalize(self.pool(self.backbone(x)), dim=-1)

    def forward(self, x):
        return self.head(self.pool(self.backbone(x)))


@torch.no_grad()
def recall_at_1(model, loader):
    model.eval()
    embs, labels = [], []
    for x, y in loader:
        embs.append(model.embed(x))
        labels.append(y)
    e, y = torch.cat(embs), torch.cat(labels)
    sim = e @ e.t()
    sim.fill_diagonal_(-2)
    nn_idx = sim.argmax(1)
    model.train()
    return (y[nn_idx] == y).float().mean().item()


def main():
    torch.manual_seed(0)
    train_set = LandmarkPhotos(seed=3)
    val_set = LandmarkPhotos(n_per_class=4, seed=4)
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(val_set, batch_size=64)

    model = RetrievalNet(n_classes=8)
    params = [
        {"params": [p for n, p in model.named_parameters() if not n.startswith("pool.")]},
        {"params": model.pool.parameters(), "lr": 1e-2, "weight_decay": 0.0},
    ]
    optimizer = torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=30)

    for epoch in range(3):
        total = 0.0
        for x, y in train_loader:
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step()
        print(f"epoch {epoch} train loss {total / len(train_loader):.4f} "
              f"GeM p {model.pool.p.item():.3f} val R@1 {recall_at_1(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
