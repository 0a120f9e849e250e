import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)

N_USERS = 4096
N_FEATS = 24
ACCUM_STEPS = 4
MICRO_BATCH = 64


def make_click_logs(n):
    g = torch.Generator().manual_seed(123)
    x = torch.randn(n, N_FEATS, generator=g)
    w = torch.randn(N_FEATS, generator=g)
    score = x @ w
    clicked = (score > 0.3).float()
    return x, clicked


class ClickModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(N_FEATS, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return torch.sigmoid(self.body(x)).squeeze(-1)


def log_loss(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def main():
    x, y = make_click_logs(N_USERS)
    loader = DataLoader(TensorDataset(x, y), batch_size=MICRO_BATCH, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = ClickModel()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    scaler = torch.amp.GradScaler("cpu")

    update = 0
    for epoch in range(2):
        running = 0.0
        opt.zero_grad(set_to_none=True)
        for i, (xb, yb) in enumerate(loader):
            with torch.autocast("cpu", dtype=torch.float16):
                p = model(xb)
                loss = log_loss(p, yb)
            scaler.scale(loss / ACCUM_STEPS).backward()
            running += loss.item()
            if (i + 1) % ACCUM_STEPS == 0:
                scaler.step(opt)
                scaler.update()
                opt.zero_grad(set_to_none=True)
                update += 1
                if update % 10 == 0:
                    print(f"epoch {epoch} update {update} loss {running / ACCUM_STEPS:.4f} scale {scaler.get_scale():.0f}")
                running = 0.0


if __name__ == "__main__":
    main()
