import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(7)

WINDOW = 256
STRIDE = 8
N_CELLS = WINDOW // STRIDE


def make_traces(n, seed=7):
    g = torch.Generator().manual_seed(seed)
    x = 0.3 * torch.randn(n, 1, WINDOW, generator=g)
    cls_t = torch.zeros(n, N_CELLS)
    off_t = torch.zeros(n, N_CELLS)
    has_pick = torch.rand(n, generator=g) < 0.4
    for i in range(n):
        if not has_pick[i]:
            continue
        onset = int(torch.randint(20, WINDOW - 40, (1,), generator=g))
        t = torch.arange(WINDOW - onset, dtype=torch.float32)
        x[i, 0, onset:] += 2.0 * torch.exp(-t / 30.0) * torch.sin(t / 3.0)
        cell = onset // STRIDE
        cls_t[i, cell] = 1.0
        off_t[i, cell] = (onset - cell * STRIDE) / STRIDE
    return x, cls_t, off_t


class TraceDataset(Dataset):
    def __init__(self, n=400):
        self.x, self.cls_t, self.off_t = make_traces(n)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.cls_t[i], self.off_t[i]


class PhasePicker(nn.Module):
    def __init__(self, ch=32):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv1d(1, ch, 7, padding=3), nn.ReLU(),
            nn.Conv1d(ch, ch, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv1d(ch, ch, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv1d(ch, ch, 5, stride=2, padding=2), nn.ReLU(),
        )
        self.cls_head = nn.Conv1d(ch, 1, 3, padding=1)
        self.reg_head = nn.Conv1d(ch, 1, 3, padding=1)

    def forward(self, x):
        h = self.backbone(x)
        return self.cls_head(h).squeeze(1), self.reg_head(h).squeeze(1)


def detection_loss(cls_logits, reg_out, cls_t, off_t):
    cls_loss = F.binary_cross_entropy_with_logits(cls_logits, cls_t, pos_weight=torch.tensor(20.0))
    pos = (cls_t > 0).float()
    num_pos = pos.sum()
    reg_loss = ((torch.sigmoid(reg_out) - off_t).abs() * pos).sum() / num_pos
    return cls_loss, reg_loss


def train():
    ds = TraceDataset()
    loader = DataLoader(ds, batch_size=4, shuffle=True)
    model = PhasePicker()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200)

    for it, (x, cls_t, off_t) in enumerate(loader):
        cls_logits, reg_out = model(x)
        cls_loss, reg_loss = detection_loss(cls_logits, reg_out, cls_t, off_t)
        loss = cls_loss + 2.0 * reg_loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        print(f"iter {it:3d} cls {cls_loss.item():.4f} reg {reg_loss.item():.4f} total {loss.item():.4f}")


if __name__ == "__main__":
    train()
