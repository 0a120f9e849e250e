import math
import torch
from torch import nn


def synthetic_image(h=64, w=64):
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
    r = torch.sin(6 * xs) * torch.cos(4 * ys) * 0.5 + 0.5
    g = torch.exp(-(xs ** 2 + ys ** 2) * 3)
    b = (xs * ys + 1) / 2
    img = torch.stack([r, g, b], -1)
    coords = torch.stack([xs, ys], -1)
    return coords.reshape(-1, 2), img.reshape(-1, 3)


class FourierField(nn.Module):
    def __init__(self, n_freq=16, hidden=64, depth=4, scale=10.0):
        super().__init__()
        self.register_buffer("B", torch.randn(2, n_freq) * scale)
        layers, d = [], 2 * n_freq
        for _ in range(depth):
            layers += [nn.Linear(d, hidden), nn.ReLU()]
            d = hidden
        layers.append(nn.Linear(d, 3))
        self.mlp = nn.Sequential(*layers)

    def forward(self, xy):
        proj = 2 * math.pi * xy @ self.B
        return self.mlp(torch.cat([proj.sin(), proj.cos()], -1))


def main():
    torch.manual_seed(0)
    coords, rgb = synthetic_image()
    model = FourierField()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    grad_scaler = torch.amp.GradScaler("cpu")
    batch = 1024
    for it in range(150):
        idx = torch.randint(0, coords.shape[0], (batch,))
        with torch.autocast("cpu", dtype=torch.float16):
            pred = model(coords[idx])
            loss = ((pred.float() - rgb[idx]) ** 2).mean()
        optimizer.zero_grad()
        grad_scaler.scale(loss).backward()
        optimizer.step()
        if it % 10 == 0:
            with torch.no_grad():
                full = model(coords)
                psnr = -10 * torch.log10(((full - rgb) ** 2).mean())
            print(f"iter {it} loss {loss.item():.5f} psnr {psnr.item():.2f}")


if __name__ == "__main__":
    main()
