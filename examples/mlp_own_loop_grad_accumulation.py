"""Delivery-time regression: an MLP on 10 standardized order features (distance, items, hour,
weather...), plain SGD at lr 0.05. The contract functions are fine, but the script's own
__main__ loop adds gradient accumulation by hand: backward() on 16 micro-batches per optimizer
step without dividing the loss by 16, so every step is 16 times too large and the loss runs
away to Inf. Under nanwiz's loop (which does not accumulate) it trains cleanly; it exists for
the static scan.
Cause: optim.accumulation_or_scaling_misuse
"""
import torch
from torch import nn
import torch.nn.functional as F

ACCUM = 16


def build_model():
    return nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 2048
    x = torch.randn(n, 10, generator=g)
    w = torch.randn(10, generator=g)
    y = x @ w / 3 + 0.4 * x[:, 0] * x[:, 3] + 0.1 * torch.randn(n, generator=g)
    y = (y - y.mean()) / y.std()
    return torch.utils.data.TensorDataset(x, y.unsqueeze(1))


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 0.05, "batch_size": 16, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}


if __name__ == "__main__":
    torch.manual_seed(0)
    model = build_model()
    loader = torch.utils.data.DataLoader(build_dataset(), batch_size=16, shuffle=True)
    optimizer = build_optimizer(model.parameters(), NANWIZ["lr"])
    for epoch in range(20):
        for i, batch in enumerate(loader):
            loss = compute_loss(model, batch)
            loss.backward()                  # summed over ACCUM micro-batches, never divided by ACCUM
            if (i + 1) % ACCUM == 0:
                optimizer.step()
                optimizer.zero_grad()
        print(f"epoch {epoch}: loss {loss.item():.4g}")
        if not torch.isfinite(loss):
            break
