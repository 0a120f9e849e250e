import argparse

import torch
from torch import nn
import torch.nn.functional as F


class SoftplusFn(torch.autograd.Function):
    """Softplus that keeps only its input for backward (saves activation memory)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return F.softplus(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        sig = torch.exp(x) / (1.0 + torch.exp(x))
        return grad_out * sig


class DemandNet(nn.Module):
    def __init__(self, n_features, hidden=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        return SoftplusFn.apply(self.head(self.body(x))).squeeze(-1)


def make_rentals(n, gen):
    hour = torch.randint(0, 24, (n,), generator=gen).float()
    temp = torch.randn(n, generator=gen) * 8 + 15
    humidity = torch.rand(n, generator=gen)
    workday = torch.randint(0, 2, (n,), generator=gen).float()
    rush = torch.exp(-((hour - 8) ** 2) / 4) + torch.exp(-((hour - 18) ** 2) / 4)
    rate = 20 + 180 * rush * (0.5 + workday) + 3 * temp.clamp(min=0) - 30 * humidity
    counts = torch.poisson(rate.clamp(min=1), generator=gen)
    feats = torch.stack([
        torch.sin(hour / 24 * 6.2832), torch.cos(hour / 24 * 6.2832),
        (temp - 15) / 8, humidity, workday,
    ], dim=1)
    return feats, counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    x, y = make_rentals(2048, gen)
    model = DemandNet(x.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.PoissonNLLLoss(log_input=False)

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), args.batch_size):
            idx = perm[i:i + args.batch_size]
            pred = model(x[idx])
            loss = loss_fn(pred, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            step += 1
        with torch.no_grad():
            mae = (model(x) - y).abs().mean().item()
        print(f"epoch {epoch} step {step} poisson_nll {total / len(x):.4f} mae {mae:.2f}")


if __name__ == "__main__":
    main()
