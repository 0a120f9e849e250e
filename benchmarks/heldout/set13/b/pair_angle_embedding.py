import argparse
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class PatchEncoder(nn.Module):
    def __init__(self, in_dim=48, emb=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, 64), nn.Tanh(), nn.Linear(64, emb))

    def forward(self, x):
        return self.net(x)


def angular_distance(a, b):
    cos = F.cosine_similarity(a, b, dim=-1)
    cos = torch.clamp(cos, -1.0, 1.0)
    return torch.acos(cos) / math.pi


def build_pairs(n_pairs=600, in_dim=48, seed=0):
    g = torch.Generator().manual_seed(seed)
    anchors = torch.randn(n_pairs, in_dim, generator=g)
    same = torch.rand(n_pairs, generator=g) < 0.5
    others = torch.where(same[:, None],
                         anchors + 0.05 * torch.randn(n_pairs, in_dim, generator=g),
                         torch.randn(n_pairs, in_dim, generator=g))
    # duplicated tiles exported twice by the labelling tool
    for i in (57, 58, 203, 431):
        others[i] = anchors[i]
        same[i] = True
    return anchors, others, same.float()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=30)
    parser.add_argument("--margin", type=float, default=0.35)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    anchors, others, same = build_pairs()
    enc = PatchEncoder()
    opt = torch.optim.Adam(enc.parameters(), lr=args.lr)

    step = 0
    n = len(anchors)
    for epoch in range(args.epochs):
        for i in range(0, n, args.batch_size):
            a, b, y = anchors[i:i + args.batch_size], others[i:i + args.batch_size], same[i:i + args.batch_size]
            d = angular_distance(enc(a), enc(b))
            loss = (y * d.pow(2) + (1 - y) * F.relu(args.margin - d).pow(2)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.5f}")
            step += 1


if __name__ == "__main__":
    main()
