import math
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 3
WINDOW = 64
CHANNELS = ["pressure_hpa", "flow_lpm", "motor_temp_c", "vibration_mm_s"]

rng = np.random.default_rng(SEED)
torch.manual_seed(SEED)


def simulate_plant(n_windows):
    t = np.arange(n_windows * WINDOW, dtype=np.float64)
    pressure = 1013.0 + 0.002 * rng.standard_normal(t.shape)
    flow = 120.0 + 8.0 * np.sin(2 * math.pi * t / 500.0) + rng.normal(0, 1.0, t.shape)
    temp = 55.0 + 0.01 * t / WINDOW + rng.normal(0, 0.3, t.shape)
    vib = np.abs(rng.normal(2.0, 0.5, t.shape))
    sig = np.stack([pressure, flow, temp, vib], axis=0)
    return sig.reshape(len(CHANNELS), n_windows, WINDOW).transpose(1, 0, 2)


class WindowNorm(nn.Module):
    """Per-window, per-channel standardisation computed from running sums."""

    def forward(self, x):
        n = x.shape[-1]
        s1 = x.sum(dim=-1, keepdim=True)
        s2 = (x * x).sum(dim=-1, keepdim=True)
        mean = s1 / n
        var = s2 / n - mean * mean
        std = torch.sqrt(var) + 1e-5
        return (x - mean) / std


class ConvAutoencoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = WindowNorm()
        self.enc = nn.Sequential(
            nn.Conv1d(c, 16, 5, stride=2, padding=2), nn.GELU(),
            nn.Conv1d(16, 32, 5, stride=2, padding=2), nn.GELU(),
        )
        self.dec = nn.Sequential(
            nn.ConvTranspose1d(32, 16, 4, stride=2, padding=1), nn.GELU(),
            nn.ConvTranspose1d(16, c, 4, stride=2, padding=1),
        )

    def forward(self, x):
        z = self.norm(x)
        return self.dec(self.enc(z)), z


def train():
    windows = torch.tensor(simulate_plant(512), dtype=torch.float32)
    loader = DataLoader(TensorDataset(windows), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(SEED))
    model = ConvAutoencoder(len(CHANNELS))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
    accum = 4
    step = 0
    for epoch in range(3):
        opt.zero_grad()
        for i, (batch,) in enumerate(loader):
            recon, target = model(batch)
            loss = nn.functional.mse_loss(recon, target) / accum
            loss.backward()
            if (i + 1) % accum == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
                if step % 5 == 0:
                    print(f"epoch {epoch} step {step} loss {loss.item() * accum:.5f} "
                          f"lr {sched.get_last_lr()[0]:.2e}")
                step += 1


if __name__ == "__main__":
    train()
