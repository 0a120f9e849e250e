import torch
import torch.nn as nn

torch.manual_seed(42)

N_FEATURES = 24


def make_impressions(n=8192):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, N_FEATURES, generator=g)
    w = torch.randn(N_FEATURES, generator=g)
    logit = 0.7 * (x @ w) + 0.5
    clicks = torch.bernoulli(torch.sigmoid(logit), generator=g)
    return x, clicks


class CTRModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(N_FEATURES, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x).squeeze(1)


def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


x, clicks = make_impressions()
model = CTRModel()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
scaler = torch.amp.GradScaler("cpu")

step = 0
for epoch in range(6):
    perm = torch.randperm(len(x))
    for b in range(0, len(x), 256):
        idx = perm[b:b + 256]
        with torch.autocast("cpu", dtype=torch.float16):
            prob = torch.sigmoid(model(x[idx]))
            loss = bce(prob, clicks[idx])
        opt.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        if step % 16 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} scale {scaler.get_scale():.1f}")
        step += 1
