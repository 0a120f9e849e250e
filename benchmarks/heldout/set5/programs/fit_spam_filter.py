import argparse

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--n", type=int, default=800)
parser.add_argument("--features", type=int, default=40)
parser.add_argument("--iters", type=int, default=30)
parser.add_argument("--seed", type=int, default=3)
args = parser.parse_args()

torch.manual_seed(args.seed)

# synthetic bag-of-keywords features for messages
true_w = torch.randn(args.features) * 2.0
X = (torch.rand(args.n, args.features) < 0.15).float() * torch.rand(args.n, args.features) * 3
score = X @ true_w
y = (score > score.median()).float()

perm = torch.randperm(args.n)
train_idx, val_idx = perm[: int(0.8 * args.n)], perm[int(0.8 * args.n):]
Xtr, ytr = X[train_idx], y[train_idx]
Xva, yva = X[val_idx], y[val_idx]

w = torch.zeros(args.features, requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def predict_proba(x):
    return torch.sigmoid(x @ w + b)


def bce(p, t):
    return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()


opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=5, history_size=10)

for it in range(args.iters):
    def closure():
        opt.zero_grad()
        loss = bce(predict_proba(Xtr), ytr)
        loss.backward()
        return loss

    loss = opt.step(closure)
    with torch.no_grad():
        val_loss = bce(predict_proba(Xva), yva)
        acc = ((predict_proba(Xva) > 0.5).float() == yva).float().mean()
    print(f"iter {it:2d}  train_loss {loss.item():.5f}  val_loss {val_loss.item():.5f}  val_acc {acc.item():.3f}  |w| {w.norm().item():.2f}")
