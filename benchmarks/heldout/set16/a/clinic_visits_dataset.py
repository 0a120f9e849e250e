import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(8)

COLUMNS = ["age", "bmi", "systolic_bp", "prior_visits", "lab_glucose", "smoker", "site_code"]


def load_records(n=3000, seed=0):
    g = torch.Generator().manual_seed(seed)
    age = 20 + 60 * torch.rand(n, generator=g)
    bmi = 18 + 15 * torch.rand(n, generator=g)
    bp = 100 + 50 * torch.rand(n, generator=g)
    visits = torch.poisson(torch.full((n,), 1.5), generator=g)
    glucose = 70 + 80 * torch.rand(n, generator=g)
    smoker = (torch.rand(n, generator=g) < 0.2).float()
    site = torch.full((n,), 3.0)
    table = torch.stack([age, bmi, bp, visits, glucose, smoker, site], dim=1)
    missing = torch.rand(n, len(COLUMNS), generator=g) < 0.08
    missing[:, -1] = False
    table[missing] = float("nan")
    risk = 0.04 * (age - 50) + 0.08 * (bmi - 25) + 0.03 * (bp - 125) + 0.5 * visits + 0.02 * (glucose - 110) + smoker
    label = (risk + 0.5 * torch.randn(n, generator=g) > 0.8).long()
    return table, label


class VisitRecords(Dataset):
    def __init__(self, table, label):
        self.table = table
        self.label = label
        self.medians = torch.nanmedian(table, dim=0).values
        filled = torch.where(torch.isnan(table), self.medians, table)
        filled[:, 3] = torch.log1p(filled[:, 3])
        self.mean = filled.mean(0)
        self.std = filled.std(0).clamp_min(1e-6)

    def __len__(self):
        return len(self.label)

    def __getitem__(self, i):
        row = self.table[i].clone()
        row = torch.where(torch.isnan(row), self.medians, row)
        row[3] = torch.log1p(row[3])
        row = (row - self.mean) / self.std
        return row, self.label[i]


table, label = load_records()
print("missing values per column:", torch.isnan(table).sum(0).tolist())
loader = DataLoader(VisitRecords(table, label), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(len(COLUMNS), 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(4):
    total, correct, running = 0, 0, 0.0
    for x, y in loader:
        logits = model(x)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        total += len(y)
    print(f"epoch {epoch} loss {running / total:.4f} acc {correct / total:.3f}")
