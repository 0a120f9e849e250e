import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(4)

FEATURES = ["age", "income", "debt_ratio", "open_lines", "late_30_59", "late_60_89",
            "late_90", "dependents", "months_employed", "country_code"]


def load_applications(n=3000):
    g = torch.Generator().manual_seed(4)
    x = torch.empty(n, len(FEATURES))
    x[:, 0] = 21 + 50 * torch.rand(n, generator=g)
    x[:, 1] = torch.exp(10 + 0.6 * torch.randn(n, generator=g))
    x[:, 2] = torch.rand(n, generator=g)
    x[:, 3] = torch.randint(0, 20, (n,), generator=g).float()
    x[:, 4] = torch.poisson(0.3 * torch.ones(n), generator=g)
    x[:, 5] = torch.poisson(0.1 * torch.ones(n), generator=g)
    x[:, 6] = torch.poisson(0.1 * torch.ones(n), generator=g)
    x[:, 7] = torch.randint(0, 5, (n,), generator=g).float()
    x[:, 8] = 240 * torch.rand(n, generator=g)
    x[:, 9] = 44.0
    risk = 1.5 * x[:, 2] + 0.8 * x[:, 4] + 1.2 * x[:, 6] - 0.02 * (x[:, 0] - 40) - 1.0
    y = (torch.rand(n, generator=g) < torch.sigmoid(risk)).float()
    return x, y


class CreditDataset(Dataset):
    def __init__(self, x, y):
        self.x = x
        self.y = y
        self.mean = x.mean(dim=0)
        self.std = x.std(dim=0)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        row = self.x[idx]
        row = (row - self.mean) / self.std
        return row, self.y[idx]


x, y = load_applications()
train_set = CreditDataset(x, y)
loader = DataLoader(train_set, batch_size=128, shuffle=True,
                    generator=torch.Generator().manual_seed(4))
model = nn.Sequential(nn.Linear(len(FEATURES), 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()

for epoch in range(5):
    for step, (xb, yb) in enumerate(loader):
        loss = criterion(model(xb).squeeze(1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}  loss {loss.item():.4f}")
