import io
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(8)
rng = np.random.default_rng(8)


def make_sensor_log(n_rows):
    """Simulated export of the fleet telemetry table (CSV text as it comes from the historian)."""
    cycles = rng.integers(1, 300, n_rows)
    lines = ["cycle,t24,t30,p30,nf,nc,phi,bpr,rul"]
    for i, c in enumerate(cycles):
        wear = c / 300.0
        vals = [642 + 3 * wear + rng.normal(0, 0.5), 1590 + 20 * wear + rng.normal(0, 4),
                553 - 4 * wear + rng.normal(0, 0.8), 2388 + rng.normal(0, 0.1),
                9050 + 40 * wear + rng.normal(0, 8), 521 - 3 * wear + rng.normal(0, 0.7),
                8.44 + 0.1 * wear + rng.normal(0, 0.03)]
        fields = [f"{v:.4f}" for v in vals]
        if i in (412, 1207, 1530):
            fields[4] = ""
        lines.append(",".join([str(c)] + fields + [str(300 - c)]))
    return "\n".join(lines)


class TurbofanDataset(Dataset):
    def __init__(self, csv_text, stats=None):
        table = np.genfromtxt(io.StringIO(csv_text), delimiter=",", skip_header=1)
        feats = table[:, 1:8].astype(np.float32)
        self.stats = stats or (feats[:256].mean(0), feats[:256].std(0))
        mean, std = self.stats
        self.x = torch.from_numpy((feats - mean) / std)
        self.y = torch.from_numpy(table[:, 8:9].astype(np.float32) / 100.0)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


train_ds = TurbofanDataset(make_sensor_log(1600))
val_ds = TurbofanDataset(make_sensor_log(400), stats=train_ds.stats)
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(8))
val_loader = DataLoader(val_ds, batch_size=100)

model = nn.Sequential(nn.Linear(7, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.1),
                      nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
criterion = nn.SmoothL1Loss()

step = 0
for epoch in range(4):
    model.train()
    for xb, yb in train_loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 20 == 0:
            print(f"epoch {epoch} step {step} train loss {loss.item():.4f}")
        step += 1

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            total += criterion(model(xb), yb).item() * len(xb)
            count += len(xb)
    print(f"epoch {epoch} val loss {total / count:.4f}")
