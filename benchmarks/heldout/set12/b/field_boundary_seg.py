import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset


class ParcelTiles(IterableDataset):
    """Streams synthetic aerial tiles with crop-parcel masks (1 = parcel, 0 = background)."""

    def __init__(self, n_tiles=160, size=32, seed=11):
        self.n_tiles = n_tiles
        self.size = size
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        for k in range(self.n_tiles):
            mask = torch.zeros(self.size, self.size, dtype=torch.long)
            n_parcels = int(torch.randint(1, 4, (1,), generator=g))
            if k % 53 == 45:
                n_parcels = 0
            for _ in range(n_parcels):
                x0, y0 = torch.randint(0, self.size - 8, (2,), generator=g).tolist()
                w, h = torch.randint(4, 14, (2,), generator=g).tolist()
                mask[y0:y0 + h, x0:x0 + w] = 1
            img = 0.6 * mask.float() + 0.25 * torch.randn(self.size, self.size, generator=g)
            yield img.unsqueeze(0), mask


class TinyUNet(nn.Module):
    def __init__(self, ch=16, n_classes=2):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(1, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU())
        self.enc2 = nn.Sequential(nn.Conv2d(ch, 2 * ch, 3, padding=1), nn.BatchNorm2d(2 * ch), nn.ReLU())
        self.up = nn.ConvTranspose2d(2 * ch, ch, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(2 * ch, ch, 3, padding=1), nn.ReLU(), nn.Conv2d(ch, n_classes, 1))

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        d = self.up(e2)
        return self.dec(torch.cat([d, e1], dim=1))


def boundary_of(mask):
    m = mask.float().unsqueeze(1)
    dil = F.max_pool2d(m, 3, stride=1, padding=1)
    ero = -F.max_pool2d(-m, 3, stride=1, padding=1)
    return (dil - ero).squeeze(1) > 0


def seg_edge_loss(logits, target, edge_weight=0.5):
    ce = F.cross_entropy(logits, target, reduction="none")
    edges = boundary_of(target)
    per_image = []
    for b in range(target.shape[0]):
        edge_term = ce[b][edges[b]].mean()
        per_image.append(ce[b].mean() + edge_weight * edge_term)
    return torch.stack(per_image).mean()


def main():
    torch.manual_seed(0)
    loader = DataLoader(ParcelTiles(), batch_size=8)
    model = TinyUNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

    step = 0
    for epoch in range(2):
        for imgs, masks in loader:
            logits = model(imgs)
            loss = seg_edge_loss(logits, masks)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                iou = ((logits.argmax(1) == 1) & (masks == 1)).sum() / ((logits.argmax(1) == 1) | (masks == 1)).sum().clamp(min=1)
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} iou {iou.item():.3f}")
            step += 1


if __name__ == "__main__":
    main()
