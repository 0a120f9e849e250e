import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)

NUM_BANDS = 12
NUM_CLASSES = 9


def make_pixels(n_per_class=400):
    centers = torch.randn(NUM_CLASSES, NUM_BANDS) * 3.0
    xs, ys = [], []
    for c in range(NUM_CLASSES):
        xs.append(centers[c] + 0.6 * torch.randn(n_per_class, NUM_BANDS))
        ys.append(torch.full((n_per_class,), c, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


class PixelClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(NUM_BANDS, 128), nn.ReLU(),
            nn.Linear(128, 128), nn.ReLU(),
            nn.Linear(128, NUM_CLASSES),
        )

    def forward(self, x):
        return F.softmax(self.body(x), dim=-1)


x, y = make_pixels()
loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)

model = PixelClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scaler = torch.amp.GradScaler("cpu")

step = 0
for epoch in range(6):
    for xb, yb in loader:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            probs = model(xb)
            loss = F.nll_loss(torch.log(probs), yb)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if step % 20 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} scale {scaler.get_scale():.1f}")
        step += 1
    with torch.no_grad():
        acc = (model(x).argmax(-1) == y).float().mean().item()
    print(f"epoch {epoch} train acc {acc:.3f}")
