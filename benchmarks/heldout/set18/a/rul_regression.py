import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader

SENSORS = ["T2", "T24", "T30", "T50", "P2", "P15", "P30", "Nf", "Nc", "epr",
           "Ps30", "phi", "NRf", "NRc", "BPR", "farB", "htBleed", "Nf_dmd", "PCNfR_dmd", "W31", "W32"]
WINDOW = 30


def simulate_fleet(n_engines=40, seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for unit in range(n_engines):
        life = rng.integers(120, 300)
        t = np.arange(life)
        wear = (t / life) ** 2
        base = rng.normal(0, 1, len(SENSORS))
        drift = rng.normal(0, 1, len(SENSORS))
        readings = base + np.outer(wear, drift) + 0.1 * rng.normal(size=(life, len(SENSORS)))
        readings = readings * 10 + 500
        readings[:, SENSORS.index("P2")] = 14.62
        readings[:, SENSORS.index("farB")] = 0.03
        readings[:, SENSORS.index("Nf_dmd")] = 2388.0
        rul = np.minimum(life - 1 - t, 125)
        frames.append((readings.astype(np.float32), rul.astype(np.float32)))
    return frames


class EngineWindows(Dataset):
    def __init__(self, fleet):
        self.fleet = fleet
        allr = np.concatenate([r for r, _ in fleet])
        self.lo = allr.min(axis=0)
        self.hi = allr.max(axis=0)
        self.index = [(u, end) for u, (r, _) in enumerate(fleet) for end in range(WINDOW, len(r) + 1)]

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        unit, end = self.index[i]
        readings, rul = self.fleet[unit]
        window = readings[end - WINDOW:end]
        window = (window - self.lo) / (self.hi - self.lo)
        return torch.from_numpy(window), torch.tensor(rul[end - 1] / 125.0)


class RULNet(nn.Module):
    def __init__(self, n_sensors):
        super().__init__()
        self.gru = nn.GRU(n_sensors, 48, batch_first=True)
        self.head = nn.Sequential(nn.Linear(48, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(0)
    train_set = EngineWindows(simulate_fleet())
    loader = DataLoader(train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
    model = RULNet(len(SENSORS))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    loss_fn = nn.MSELoss()
    for step, (x, y) in enumerate(loader):
        pred = model(x)
        loss = loss_fn(pred, y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 10 == 0:
            print(f"step {step:3d}  rmse {125 * loss.sqrt().item():.2f} cycles")
        if step == 60:
            break


if __name__ == "__main__":
    main()
