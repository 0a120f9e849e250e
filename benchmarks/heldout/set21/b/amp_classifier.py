import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def build_data(n=2048, dim=64, classes=8, seed=1):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(dim, classes, generator=g)
    x = torch.randn(n, dim, generator=g)
    y = (x @ w + 0.5 * torch.randn(n, classes, generator=g)).argmax(1)
    return TensorDataset(x, y)


class MLP(nn.Module):
    def __init__(self, dim=64, hidden=128, classes=8):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.gelu(self.fc1(x))
        x = F.gelu(self.fc2(x))
        return self.fc3(x)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.float16):
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return correct / total


torch.manual_seed(0)
train_ds = build_data()
val_ds = build_data(n=512, seed=2)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)

model = MLP()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
scaler = torch.amp.GradScaler("cpu")
accum_steps = 2

for epoch in range(3):
    running = 0.0
    for i, (x, y) in enumerate(train_loader):
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(x)
            loss = F.cross_entropy(logits, y) / accum_steps
        scaler.scale(loss).backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        running += loss.item() * accum_steps
        if i % 8 == 0:
            print(f"epoch {epoch} iter {i:3d} loss {loss.item() * accum_steps:.4f}")
    print(f"epoch {epoch} train loss {running / len(train_loader):.4f} val acc {evaluate(model, val_loader):.3f}")
