import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def augment(x, gen):
    flip = torch.rand(x.size(0), 1, 1, 1, generator=gen) < 0.5
    x = torch.where(flip, x.flip(-1), x)
    return x


class SmallEncoder(nn.Module):
    def __init__(self, emb_dim=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(32, emb_dim)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def angular_loss(z1, z2):
    cos = F.cosine_similarity(z1, z2, dim=1)
    theta = torch.acos(torch.clamp(cos, -1.0, 1.0))
    return theta.mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    images = torch.rand(512, 1, 16, 16, generator=gen)

    model = SmallEncoder()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.steps)

    for step in range(args.steps):
        idx = torch.randint(0, images.size(0), (args.batch_size,), generator=gen)
        batch = images[idx]
        v1 = augment(batch, gen)
        v2 = augment(batch, gen)
        z1, z2 = model(torch.cat([v1, v2])).chunk(2)
        loss = angular_loss(z1, z2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 10 == 0:
            print(f"step {step:3d} angle {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.4f}")


if __name__ == "__main__":
    main()
