import torch
from torch import nn

torch.manual_seed(3)


def make_transactions(n=8192, n_feat=24):
    x = torch.randn(n, n_feat)
    w = torch.randn(n_feat) * 1.5
    score = x @ w - 4.0
    y = (score + 0.3 * torch.randn(n) > 0).float()
    return x, y


class FraudNet(nn.Module):
    def __init__(self, n_feat=24):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_feat, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
        self.head = nn.Linear(128, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def main():
    x, y = make_transactions()
    print(f"fraud rate {y.mean().item():.3f}")
    model = FraudNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    pos_weight = 4.0
    batch_size = 256
    step = 0
    n_epochs = 1
    for epoch in range(n_epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = x[idx], y[idx]
            with torch.autocast("cpu", dtype=torch.float16):
                prob = torch.sigmoid(model(xb))
                loss = -(pos_weight * yb * torch.log(prob) + (1 - yb) * torch.log(1 - prob)).mean()
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
            step += 1


if __name__ == "__main__":
    main()
