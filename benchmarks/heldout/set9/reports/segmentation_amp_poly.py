import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

NUM_CLASSES = 6
H = W = 16


def make_scenes(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    masks = torch.zeros(n, H, W, dtype=torch.long)
    for i in range(n):
        for _ in range(3):
            c = int(torch.randint(1, NUM_CLASSES, (1,), generator=g))
            y0, x0 = torch.randint(0, H - 4, (2,), generator=g).tolist()
            hh, ww = torch.randint(3, 8, (2,), generator=g).tolist()
            masks[i, y0:y0 + hh, x0:x0 + ww] = c
    palette = torch.randn(NUM_CLASSES, 3, generator=g)
    imgs = palette[masks].permute(0, 3, 1, 2) + 0.3 * torch.randn(n, 3, H, W, generator=g)
    return imgs, masks


class PixelNet(nn.Module):
    """Per-pixel MLP decoder on top of a 3x3 neighbourhood encoding."""

    def __init__(self, hidden=32):
        super().__init__()
        self.encode = nn.Linear(27, hidden)
        self.decode = nn.Sequential(nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, NUM_CLASSES))

    def forward(self, x):
        patches = F.unfold(x, 3, padding=1).transpose(1, 2)  # (B, H*W, 27)
        logits = self.decode(self.encode(patches))
        return logits.transpose(1, 2).reshape(x.shape[0], NUM_CLASSES, H, W)


def main():
    torch.manual_seed(0)
    imgs, masks = make_scenes()
    loader = DataLoader(TensorDataset(imgs, masks), batch_size=8, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = PixelNet()
    criterion = nn.CrossEntropyLoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=5e-4, momentum=0.9)
    epochs = 4
    scheduler = torch.optim.lr_scheduler.PolynomialLR(optimizer, total_iters=epochs * len(loader), power=0.9)
    scaler = torch.amp.GradScaler("cpu")
    step = 0
    for epoch in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(x)
                loss = criterion(logits, y) / x.shape[0]
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            if step < 6 or step % 12 == 0:
                print(f"epoch {epoch} iter {step} loss {loss.item():.3f} grad_norm {grad_norm.item():.3f} "
                      f"scale {scaler.get_scale():.0f} lr {scheduler.get_last_lr()[0]:.2e}")
            step += 1
    model.eval()
    with torch.no_grad():
        pred = model(imgs).argmax(1)
    print(f"pixel acc {(pred == masks).float().mean().item():.3f}")


if __name__ == "__main__":
    main()
