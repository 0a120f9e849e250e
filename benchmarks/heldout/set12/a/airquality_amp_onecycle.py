import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(31)


def make_station_data(n):
    weather = torch.randn(n, 10)
    traffic = torch.rand(n, 1)
    pm25 = 35 + 12 * weather[:, 0] - 8 * weather[:, 1] + 40 * traffic[:, 0] + 3 * torch.randn(n)
    return torch.cat([weather, traffic], dim=1), pm25.clamp(min=1.0)


class PMRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(11, 128), nn.GELU(),
            nn.Linear(128, 128), nn.GELU(),
            nn.Linear(128, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def evaluate(model, loader):
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.float16):
        for x, y in loader:
            se += ((model(x).float() - y) ** 2).sum().item()
            n += len(y)
    model.train()
    return (se / n) ** 0.5


x_train, y_train = make_station_data(6000)
x_val, y_val = make_station_data(1000)
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=256)

model = PMRegressor()
epochs = 6
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs,
                                                steps_per_epoch=len(train_loader))
scaler = torch.amp.GradScaler("cpu")
criterion = nn.MSELoss()

step = 0
for epoch in range(epochs):
    for x, y in train_loader:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            loss = criterion(model(x), y)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        if step < 12 or step % 50 == 0:
            print(f"step {step:4d}  loss {loss.item():9.3f}  grad_norm {grad_norm.item():10.3f}  "
                  f"scale {scaler.get_scale():8.0f}  lr {scheduler.get_last_lr()[0]:.2e}")
        step += 1
    print(f"epoch {epoch}  val RMSE {evaluate(model, val_loader):.3f} ug/m3")
