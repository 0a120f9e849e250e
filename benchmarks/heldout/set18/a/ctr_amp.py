import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


def make_impressions(n=4096, n_fields=24):
    g = torch.Generator().manual_seed(3)
    feats = torch.randn(n, n_fields, generator=g)
    w = torch.randn(n_fields, generator=g)
    score = feats @ w * 1.5
    clicked = (score + 2.5 * torch.randn(n, generator=g) > 1.0).float()
    return feats, clicked


class ClickModel(nn.Module):
    def __init__(self, n_fields):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(n_fields, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.mlp(x).squeeze(-1)


def log_loss(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def main():
    feats, clicked = make_impressions()
    loader = DataLoader(TensorDataset(feats, clicked), batch_size=256, shuffle=True,
                        generator=torch.Generator().manual_seed(5))
    model = ClickModel(feats.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(4):
        for x, y in loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                p = torch.sigmoid(model(x))
                loss = log_loss(p, y)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step:4d} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
            step += 1
    print("final scale", scaler.get_scale())


if __name__ == "__main__":
    main()
