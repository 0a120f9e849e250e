import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_transactions(n=4096, d=24, seed=3):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    w = torch.randn(d, generator=g)
    score = X @ w + 0.3 * torch.randn(n, generator=g)
    y = (score > 1.0).float()
    return X, y


class FraudNet(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d, 64), nn.GELU(),
            nn.Linear(64, 64), nn.GELU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def bce(prob, target):
    return -(target * torch.log(prob) + (1 - target) * torch.log(1 - prob)).mean()


def main():
    torch.manual_seed(0)
    X, y = make_transactions()
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    model = FraudNet(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(1):
        for xb, yb in loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(xb)
                prob = torch.sigmoid(logits)
                loss = bce(prob, yb)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            if step % 4 == 0:
                print(f"step {step:4d}  loss {loss.item():.4f}  scale {scaler.get_scale():.0f}")
            step += 1
    print("finished", step, "steps")


if __name__ == "__main__":
    main()
