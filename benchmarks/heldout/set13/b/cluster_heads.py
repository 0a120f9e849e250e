import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


def entropy(p, dim=-1):
    return -torch.where(p > 0, p * p.log(), torch.zeros_like(p)).sum(dim=dim)


class ClusterNet(nn.Module):
    def __init__(self, in_dim=32, hidden=64, n_clusters=8, temperature=0.02):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_clusters)
        self.temperature = temperature

    def forward(self, x):
        return self.head(self.backbone(x)) / self.temperature


def make_data(n=2048, in_dim=32, k=8):
    centers = torch.randn(k, in_dim) * 3
    labels = torch.randint(0, k, (n,))
    x = centers[labels] + 0.5 * torch.randn(n, in_dim)
    return x, labels


def augment(x):
    return x + 0.1 * torch.randn_like(x)


x, labels = make_data()
loader = DataLoader(TensorDataset(x), batch_size=128, shuffle=True)
model = ClusterNet()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=50, gamma=0.5)

step = 0
for epoch in range(20):
    for (xb,) in loader:
        p1 = F.softmax(model(augment(xb)), dim=1)
        p2 = F.softmax(model(augment(xb)), dim=1)
        consistency = -(p1 * p2).sum(1).clamp_min(1e-8).log().mean()
        marginal = 0.5 * (p1.mean(0) + p2.mean(0))
        confidence = 0.5 * (entropy(p1).mean() + entropy(p2).mean())
        loss = consistency + 0.5 * confidence - 2.0 * entropy(marginal)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 20 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
        step += 1
print("done", loss.item())
