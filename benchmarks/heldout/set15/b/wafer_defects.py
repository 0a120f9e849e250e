import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

np.random.seed(3)
torch.manual_seed(3)

CLASSES = ["none", "center", "edge_ring", "scratch", "donut"]
GAMMA = 0.5


def synth_wafer_features(n_per_class=300, dim=24):
    centers = np.random.randn(len(CLASSES), dim) * 3.0
    xs, ys = [], []
    for k in range(len(CLASSES)):
        n = n_per_class * (4 if k == 0 else 1)
        xs.append(centers[k] + np.random.randn(n, dim))
        ys.append(np.full(n, k))
    x = np.concatenate(xs).astype(np.float32)
    y = np.concatenate(ys).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


class FocalLoss(nn.Module):
    def __init__(self, gamma=2.0):
        super().__init__()
        self.gamma = gamma

    def forward(self, logits, target):
        logpt = F.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
        pt = logpt.exp()
        loss = -((1 - pt) ** self.gamma) * logpt
        return loss.mean()


model = nn.Sequential(
    nn.Linear(24, 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, len(CLASSES)),
)
criterion = FocalLoss(gamma=GAMMA)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

x, y = synth_wafer_features()
n = len(x)
batch_size = 64
step = 0
for epoch in range(3):
    perm = torch.randperm(n)
    model.train()
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        logits = model(x[idx])
        loss = criterion(logits, y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
    model.eval()
    with torch.no_grad():
        acc = (model(x).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.6f} train acc {acc:.3f}")
