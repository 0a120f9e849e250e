import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def pearson_loss(pred, target):
    pred = pred.view(-1)
    target = target.view(-1)
    vp = pred - pred.mean()
    vt = target - target.mean()
    corr = (vp * vt).mean() / (pred.std() * target.std() + 1e-8)
    return 1.0 - corr


def build_data(n, n_genes=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_genes, generator=g)
    w = torch.randn(n_genes, generator=g) / n_genes ** 0.5
    y = torch.tanh(x @ w) + 0.1 * torch.randn(n, generator=g)
    return x, y


def evaluate(model, loader):
    model.eval()
    preds, ys = [], []
    with torch.no_grad():
        for xb, yb in loader:
            preds.append(model(xb).squeeze(-1))
            ys.append(yb)
    model.train()
    p, y = torch.cat(preds), torch.cat(ys)
    return torch.corrcoef(torch.stack([p, y]))[0, 1].item()


torch.manual_seed(0)
x_train, y_train = build_data(417)
x_val, y_val = build_data(128, seed=1)
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=64)

model = nn.Sequential(nn.Linear(50, 128), nn.GELU(), nn.Dropout(0.1), nn.Linear(128, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)

global_step = 0
for epoch in range(10):
    running = 0.0
    for xb, yb in train_loader:
        loss = pearson_loss(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        global_step += 1
    scheduler.step()
    print(f"epoch {epoch} step {global_step} train_loss {running / len(train_loader):.4f} "
          f"val_r {evaluate(model, val_loader):.4f}")
