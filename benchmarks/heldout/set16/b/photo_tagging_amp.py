import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

N_TAGS = 40
FEAT = 96


class PhotoTags(Dataset):
    """Precomputed image embeddings with multi-hot tag vectors."""

    def __init__(self, n=1024, seed=3):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, FEAT, generator=g)
        proj = torch.randn(FEAT, N_TAGS, generator=g) / FEAT ** 0.5
        self.y = ((self.x @ proj) > 0.8).float()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def build_model():
    return nn.Sequential(
        nn.Linear(FEAT, 512), nn.GELU(),
        nn.Linear(512, 512), nn.GELU(),
        nn.Linear(512, N_TAGS),
    )


def main():
    torch.manual_seed(0)
    loader = DataLoader(PhotoTags(), batch_size=128, shuffle=True, drop_last=True)
    model = build_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    scaler = torch.amp.GradScaler("cpu")
    step = 0
    for epoch in range(4):
        for x, y in loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(x)
                loss = F.binary_cross_entropy_with_logits(logits, y, reduction="sum")
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            scaler.step(optimizer)
            scaler.update()
            print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f} "
                  f"grad_norm {grad_norm.item():.3f} scale {scaler.get_scale():.0f}")
            step += 1


if __name__ == "__main__":
    main()
