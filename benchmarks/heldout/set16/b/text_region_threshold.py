import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)

IMG = 32
ACCUM_STEPS = 2


class ScanDataset(Dataset):
    """Synthetic receipt scans with rectangular text lines and their border bands."""

    def __init__(self, n=96, seed=7):
        g = torch.Generator().manual_seed(seed)
        self.images, self.thresh, self.masks = [], [], []
        blank_pages = {13, 58}
        for i in range(n):
            img = 0.1 * torch.randn(1, IMG, IMG, generator=g)
            thr = torch.zeros(IMG, IMG)
            band = torch.zeros(IMG, IMG)
            if i not in blank_pages:
                n_lines = int(torch.randint(1, 4, (1,), generator=g))
                for _ in range(n_lines):
                    y0 = int(torch.randint(2, IMG - 8, (1,), generator=g))
                    x0 = int(torch.randint(2, IMG - 16, (1,), generator=g))
                    h = int(torch.randint(3, 6, (1,), generator=g))
                    w = int(torch.randint(8, 14, (1,), generator=g))
                    img[0, y0:y0 + h, x0:x0 + w] += 1.0
                    band[y0 - 2:y0 + h + 2, x0 - 2:x0 + w + 2] = 1.0
                    thr[y0 - 2:y0 + h + 2, x0 - 2:x0 + w + 2] = 0.7
                    thr[y0:y0 + h, x0:x0 + w] = 0.3
            self.images.append(img)
            self.thresh.append(thr)
            self.masks.append(band)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], self.thresh[i], self.masks[i]


class ThresholdHead(nn.Module):
    def __init__(self, ch=16):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU(),
            nn.Conv2d(ch, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU(),
        )
        self.out = nn.Conv2d(ch, 1, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(self.enc(x))).squeeze(1)


def masked_l1(pred, gt, mask):
    per_image = (torch.abs(pred - gt) * mask).sum(dim=(1, 2)) / mask.sum(dim=(1, 2))
    return per_image.mean()


ds = ScanDataset()
loader = DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(2))
model = ThresholdHead()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
total_updates = 3 * math.ceil(len(loader) / ACCUM_STEPS)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=total_updates)

update = 0
for epoch in range(3):
    model.train()
    optimizer.zero_grad()
    running = 0.0
    for it, (img, thr, band) in enumerate(loader):
        pred = model(img)
        loss = masked_l1(pred, thr, band) / ACCUM_STEPS
        loss.backward()
        running += loss.item()
        if (it + 1) % ACCUM_STEPS == 0:
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            print(f"epoch {epoch} update {update} l1 {running:.4f} lr {scheduler.get_last_lr()[0]:.2e}")
            running = 0.0
            update += 1
