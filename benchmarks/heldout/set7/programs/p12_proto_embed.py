import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F


def make_episodes_data(n=1200, n_classes=10, dim=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(n_classes, dim, generator=g) * 2
    y = torch.randint(0, n_classes, (n,), generator=g)
    x = centers[y] + torch.randn(n, dim, generator=g)
    return x, y


class Embedder(nn.Module):
    def __init__(self, dim=16, out=8):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, out))

    def forward(self, x):
        return self.net(x)


def safe_dist(a, b):
    d2 = (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(-1)
    ok = d2 > 1e-12
    return torch.where(ok, torch.sqrt(torch.where(ok, d2, torch.ones_like(d2))), torch.zeros_like(d2))


def episode_loss(z, y, n_classes, margin=1.0):
    present = torch.stack([(y == c).any() for c in range(n_classes)])
    onehot = F.one_hot(y, n_classes).float()                          # (B, C)
    counts = onehot.sum(0)                                            # (C,)
    protos = (onehot.t() @ z) / counts.clamp_min(1).unsqueeze(1)      # (C, E)
    d = safe_dist(z, protos)                                          # (B, C)
    d = d.masked_fill(~present.unsqueeze(0), 1e4)
    logp = F.log_softmax(-d, dim=1)
    ce = F.nll_loss(logp, y)
    spread = []
    for c in range(n_classes):
        zc = z[y == c]
        if zc.shape[0] > 0:
            spread.append(zc.var(dim=0, correction=0).mean())
    spread = torch.stack(spread).mean()
    probs = logp.exp()
    entropy = -(probs * torch.log(probs.clamp_min(1e-12))).sum(1).mean()
    return ce + 0.1 * spread + 0.01 * entropy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--batch-size", type=int, default=12)
    ap.add_argument("--lr", type=float, default=5e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    x, y = make_episodes_data()
    model = Embedder()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    for step in range(args.steps):
        idx = torch.randint(0, len(x), (args.batch_size,))
        xb, yb = x[idx], y[idx]
        opt.zero_grad()
        loss = episode_loss(model(xb), yb, n_classes=10)
        if not torch.isfinite(loss):
            print(f"step {step}: loss is not finite, stopping")
            break
        loss.backward()
        opt.step()
        if step % 25 == 0:
            print(f"step {step} loss {loss.item():.4f}")
    print("done")


if __name__ == "__main__":
    main()
