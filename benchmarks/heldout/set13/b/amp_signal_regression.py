import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


def make_signals(n=512, length=64):
    t = torch.linspace(0, 1, length)
    freq = torch.rand(n, 1) * 20 + 5
    amp = torch.rand(n, 1) * 40 + 10
    x = amp * torch.sin(2 * torch.pi * freq * t) + torch.randn(n, length)
    y = torch.cat([freq, amp], dim=1)
    return x.unsqueeze(1), y


class SignalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 32, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(8),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 8, 128), nn.ReLU(), nn.Linear(128, 2))

    def forward(self, x):
        return self.head(self.features(x))


x, y = make_signals()
loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
model = SignalNet()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)
scaler = torch.amp.GradScaler("cpu")
loss_fn = nn.SmoothL1Loss()

it = 0
for epoch in range(5):
    for xb, yb in loader:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            pred = model(xb)
            loss = loss_fn(pred.float(), yb)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        scaler.step(optimizer)
        scaler.update()
        if it < 12 or it % 16 == 0:
            print(f"epoch {epoch} iter {it} loss {loss.item():.4f} grad_norm {grad_norm.item():.3f} "
                  f"scale {scaler.get_scale():.0f}")
        it += 1
    scheduler.step()
