import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

S, B, C = 4, 2, 3
IMG = 64
LAMBDA_COORD = 5.0
LAMBDA_NOOBJ = 0.5


class ShapesDetection(Dataset):
    """Synthetic VOC-style set: one or two boxes per image, YOLOv1 grid targets."""

    def __init__(self, n=96, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.images = torch.rand(n, 3, IMG, IMG, generator=g)
        self.targets = torch.zeros(n, S, S, C + 5)
        for i in range(n):
            k = int(torch.randint(1, 3, (1,), generator=g))
            for _ in range(k):
                cx, cy = torch.rand(2, generator=g).tolist()
                w, h = (0.1 + 0.6 * torch.rand(2, generator=g)).tolist()
                cls = int(torch.randint(0, C, (1,), generator=g))
                col, row = min(int(cx * S), S - 1), min(int(cy * S), S - 1)
                x0, y0 = int((cx - w / 2) * IMG), int((cy - h / 2) * IMG)
                x1, y1 = int((cx + w / 2) * IMG), int((cy + h / 2) * IMG)
                self.images[i, cls, max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] += 0.5
                cell = self.targets[i, row, col]
                if cell[C] == 0:
                    cell[cls] = 1.0
                    cell[C] = 1.0
                    cell[C + 1:C + 5] = torch.tensor([cx * S - col, cy * S - row, w, h])

    def __len__(self):
        return len(self.images)

    def __getitem__(self, idx):
        return self.images[idx], self.targets[idx]


class TinyYolo(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
        )
        self.fc = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * S * S, 256), nn.LeakyReLU(0.1),
            nn.Linear(256, S * S * (C + B * 5)),
        )

    def forward(self, x):
        return self.fc(self.features(x)).view(-1, S, S, C + B * 5)


def box_iou(a, b):
    a1, a2 = a[..., 0:2] - a[..., 2:4] / 2, a[..., 0:2] + a[..., 2:4] / 2
    b1, b2 = b[..., 0:2] - b[..., 2:4] / 2, b[..., 0:2] + b[..., 2:4] / 2
    wh = (torch.min(a2, b2) - torch.max(a1, b1)).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[..., 2] * a[..., 3]).abs()
    area_b = (b[..., 2] * b[..., 3]).abs()
    return inter / (area_a + area_b - inter + 1e-6)


class YoloLoss(nn.Module):
    def forward(self, pred, target):
        box1 = pred[..., C + 1:C + 5]
        box2 = pred[..., C + 6:C + 10]
        tbox = target[..., C + 1:C + 5]
        iou1 = box_iou(box1, tbox)
        iou2 = box_iou(box2, tbox)
        best = (iou2 > iou1).float().unsqueeze(-1)
        obj = target[..., C:C + 1]

        box_pred = obj * (best * box2 + (1 - best) * box1)
        box_tgt = obj * tbox
        xy_loss = ((box_pred[..., 0:2] - box_tgt[..., 0:2]) ** 2).sum()
        pred_wh = torch.sqrt(box_pred[..., 2:4])
        tgt_wh = torch.sqrt(box_tgt[..., 2:4])
        wh_loss = ((pred_wh - tgt_wh) ** 2).sum()

        conf_pred = best * pred[..., C + 5:C + 6] + (1 - best) * pred[..., C:C + 1]
        obj_loss = ((obj * conf_pred - obj) ** 2).sum()
        noobj_loss = (((1 - obj) * pred[..., C:C + 1]) ** 2).sum() \
            + (((1 - obj) * pred[..., C + 5:C + 6]) ** 2).sum()
        cls_loss = ((obj * pred[..., :C] - obj * target[..., :C]) ** 2).sum()

        n = pred.shape[0]
        return (LAMBDA_COORD * (xy_loss + wh_loss) + obj_loss
                + LAMBDA_NOOBJ * noobj_loss + cls_loss) / n


def main():
    torch.manual_seed(0)
    loader = DataLoader(ShapesDetection(), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = TinyYolo()
    criterion = YoloLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-4, weight_decay=5e-4)
    step = 0
    for epoch in range(2):
        for images, targets in loader:
            out = model(images)
            loss = criterion(out, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    main()
