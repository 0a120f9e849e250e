import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

FIELDS = ["t2m", "msl", "u10", "v10", "tp"]
NY, NX = 12, 16


def make_reanalysis(n_times=240, seed=0):
    """Hourly analysis fields on a small limited-area grid."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n_times, dtype=torch.float32)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, NY), torch.linspace(0, 1, NX), indexing="ij")
    phase = 2 * torch.pi * t.view(-1, 1, 1) / 24.0
    t2m = 288.0 + 6.0 * torch.sin(phase - xx) + 2.0 * yy + 0.3 * torch.randn(n_times, NY, NX, generator=g)
    msl = 101300.0 + 400.0 * torch.cos(phase / 5 + yy) + 20.0 * torch.randn(n_times, NY, NX, generator=g)
    u10 = 4.0 * torch.sin(phase / 3 + xx) + 0.5 * torch.randn(n_times, NY, NX, generator=g)
    v10 = 3.0 * torch.cos(phase / 3 + yy) + 0.5 * torch.randn(n_times, NY, NX, generator=g)
    tp = torch.zeros(n_times, NY, NX)  # accumulated precipitation, mm/h
    return torch.stack([t2m, msl, u10, v10, tp], dim=1)  # (time, field, y, x)


class WeatherDataset(Dataset):
    def __init__(self, states, ar_steps=1):
        self.states = states
        self.ar_steps = ar_steps
        self.state_mean = states.mean(dim=(0, 2, 3), keepdim=True)[0]
        self.state_std = states.std(dim=(0, 2, 3), keepdim=True)[0]

    def __len__(self):
        return self.states.shape[0] - self.ar_steps - 1

    def _standardize(self, da_state):
        return (da_state - self.state_mean) / self.state_std

    def __getitem__(self, idx):
        init_states = self._standardize(self.states[idx:idx + 2])
        target = self._standardize(self.states[idx + 2:idx + 2 + self.ar_steps])
        return init_states, target


class GridForecaster(nn.Module):
    def __init__(self, n_fields=len(FIELDS), hidden=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(2 * n_fields, hidden, 3, padding=1), nn.SiLU(),
            nn.Conv2d(hidden, hidden, 3, padding=1), nn.SiLU(),
            nn.Conv2d(hidden, n_fields, 3, padding=1),
        )

    def forward(self, init_states):
        prev, cur = init_states[:, 0], init_states[:, 1]
        x = torch.cat([prev, cur], dim=1)
        return cur + self.net(x)


def main():
    torch.manual_seed(0)
    ds = WeatherDataset(make_reanalysis())
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(0))
    model = GridForecaster()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    step = 0
    for epoch in range(2):
        for init_states, target in loader:
            pred = model(init_states)
            loss = torch.mean((pred - target[:, 0]) ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} train_loss {loss.item():.5f}")
            step += 1


if __name__ == "__main__":
    main()
