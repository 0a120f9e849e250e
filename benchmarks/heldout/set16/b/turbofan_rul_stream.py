import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

SENSORS = ["t2", "t24", "t30", "t50", "p2", "p15", "p30", "nf", "nc", "epr", "ps30", "phi",
           "nrf", "nrc", "bpr", "farb", "htbleed", "nf_dmd"]


def simulate_fleet(n_engines=40, cycles=60, seed=21):
    g = torch.Generator().manual_seed(seed)
    rows, targets = [], []
    for e in range(n_engines):
        life = cycles + int(torch.randint(0, 40, (1,), generator=g))
        wear = torch.linspace(0, 1, cycles)
        base = 500 + 50 * torch.randn(len(SENSORS), generator=g)
        drift = 5 * torch.randn(len(SENSORS), generator=g)
        x = base + wear[:, None] * drift + torch.randn(cycles, len(SENSORS), generator=g)
        x[:, SENSORS.index("p2")] = 14.62
        x[:, SENSORS.index("nf_dmd")] = 2388.0
        rows.append(x)
        targets.append((life - torch.arange(cycles)).float().clamp(max=125.0))
    return torch.cat(rows), torch.cat(targets)


class SensorStream(IterableDataset):
    def __init__(self, x, y, mean, std, seed=0):
        self.x, self.y = x, y
        self.mean, self.std = mean, std
        self.seed = seed
        self.epoch = 0

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed + self.epoch)
        self.epoch += 1
        for i in torch.randperm(len(self.x), generator=g).tolist():
            feats = (self.x[i] - self.mean) / self.std
            yield feats, self.y[i] / 125.0


x, y = simulate_fleet()
n_train = int(len(x) * 0.8)
mean = x[:n_train].mean(dim=0)
std = x[:n_train].std(dim=0)
train_stream = SensorStream(x[:n_train], y[:n_train], mean, std)

model = nn.Sequential(
    nn.Linear(len(SENSORS), 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

step = 0
for epoch in range(3):
    model.train()
    for feats, target in DataLoader(train_stream, batch_size=64):
        pred = model(feats).squeeze(-1)
        loss = loss_fn(pred, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} mse {loss.item():.5f}")
        step += 1
    model.eval()
    with torch.no_grad():
        val_x = (x[n_train:] - mean) / std
        val_y = y[n_train:] / 125.0
        rmse = ((model(val_x).squeeze(-1) - val_y) ** 2).mean().sqrt() * 125.0
    print(f"epoch {epoch} val RMSE {rmse.item():.2f} cycles")
