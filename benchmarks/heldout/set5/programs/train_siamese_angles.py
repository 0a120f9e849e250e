import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--margin", type=float, default=1.2)
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args()

torch.manual_seed(5)

N_CLASSES, PER_CLASS, DIM = 20, 12, 32
protos = torch.randn(N_CLASSES, DIM)
X = protos.repeat_interleave(PER_CLASS, 0) + 0.6 * torch.randn(N_CLASSES * PER_CLASS, DIM)
Y = torch.arange(N_CLASSES).repeat_interleave(PER_CLASS)
by_class = [torch.nonzero(Y == c).squeeze(1) for c in range(N_CLASSES)]


def sample_pairs(anchors):
    n = len(anchors)
    positives = torch.stack([by_class[Y[a]][torch.randint(0, PER_CLASS, (1,))].squeeze() for a in anchors])
    negatives = torch.randint(0, len(Y), (n,))
    return anchors, positives, negatives


net = nn.Sequential(nn.Linear(DIM, 64), nn.ReLU(), nn.Linear(64, 16))
opt = torch.optim.Adam(net.parameters(), lr=args.lr)


def angle(a, b):
    cos = (F.normalize(a, dim=-1) * F.normalize(b, dim=-1)).sum(-1).clamp(-1.0, 1.0)
    return torch.acos(cos)


step = 0
for epoch in range(args.epochs):
    perm = torch.randperm(len(Y))
    for start in range(0, len(Y), args.batch_size):
        a, p, n = sample_pairs(perm[start:start + args.batch_size])
        za, zp, zn = net(X[a]), net(X[p]), net(X[n])
        same = (Y[a] == Y[n]).float()
        pos_angle = angle(za, zp)
        neg_angle = angle(za, zn)
        loss = pos_angle.mean() + ((1 - same) * F.relu(args.margin - neg_angle)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 4 == 0:
            print(f"epoch {epoch} step {step:3d}  loss {loss.item():.4f}  pos {pos_angle.mean().item():.3f}  neg {neg_angle.mean().item():.3f}")
        step += 1
