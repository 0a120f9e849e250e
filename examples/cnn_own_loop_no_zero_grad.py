"""Small CNN regressing the stripe frequency of 12x12 grayscale texture patches (MSE, SGD
with momentum). The contract functions are fine, but the script's own __main__ loop never
calls optimizer.zero_grad(): gradients pile up across steps until the weights blow up.
Under nanwiz's loop (which zeroes grads) it trains cleanly; it exists for the static scan.
Cause: optim.missing_zero_grad
"""
import torch
from torch import nn
import torch.nn.functional as F


def build_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(16, 1),
    )


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 960
    freq = 0.5 + 2.5 * torch.rand(n, generator=g)          # cycles per patch
    cols = torch.linspace(0, 1, 12)
    x = torch.sin(2 * torch.pi * freq[:, None] * cols[None, :])  # (n, 12) one row
    x = x[:, None, :].expand(n, 12, 12) + 0.2 * torch.randn(n, 12, 12, generator=g)
    return torch.utils.data.TensorDataset(x.unsqueeze(1), freq.unsqueeze(1))


def build_optimizer(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def compute_loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


NANWIZ = {"lr": 1e-2, "batch_size": 32, "steps": 200, "amp": None, "grad_clip": None,
          "seed": 0, "shuffle": True}


if __name__ == "__main__":
    torch.manual_seed(0)
    model = build_model()
    loader = torch.utils.data.DataLoader(build_dataset(), batch_size=32, shuffle=True)
    optimizer = build_optimizer(model.parameters(), NANWIZ["lr"])
    for epoch in range(20):
        for batch in loader:
            loss = compute_loss(model, batch)
            loss.backward()          # gradients are summed into .grad every step ...
            optimizer.step()         # ... and never cleared: optimizer.zero_grad() is missing
        print(f"epoch {epoch}: loss {loss.item():.4g}")
        if not torch.isfinite(loss):
            break
