import torch
from torch import nn

torch.manual_seed(7)

N = 3000
columns = ["flow_rate", "inlet_pressure", "outlet_pressure", "motor_temp",
           "vibration_rms", "runtime_hours", "valve_b_open", "ambient_temp"]

flow = torch.rand(N) * 40 + 10
p_in = torch.randn(N) * 0.3 + 2.1
p_out = p_in + flow * 0.05 + torch.randn(N) * 0.1
motor_t = 45 + flow * 0.6 + torch.randn(N) * 3
vib = torch.rand(N).pow(2) * 4
hours = torch.rand(N) * 20000
valve_b = torch.zeros(N)
ambient = torch.randn(N) * 5 + 18

X = torch.stack([flow, p_in, p_out, motor_t, vib, hours, valve_b, ambient], dim=1)
remaining_life = (8000 - 0.3 * hours - 600 * vib - 20 * (motor_t - 60)).clamp(min=0) / 1000.0
y = remaining_life + 0.05 * torch.randn(N)

n_train = 2400
X_train, y_train = X[:n_train], y[:n_train]
X_val, y_val = X[n_train:], y[n_train:]

feat_mean = X_train.mean(dim=0)
feat_std = X_train.std(dim=0)
X_train = (X_train - feat_mean) / feat_std
X_val = (X_val - feat_mean) / feat_std

model = nn.Sequential(
    nn.Linear(len(columns), 64), nn.GELU(),
    nn.Linear(64, 64), nn.GELU(),
    nn.Linear(64, 1),
)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)
criterion = nn.SmoothL1Loss()

batch_size = 128
global_step = 0
for epoch in range(15):
    order = torch.randperm(n_train)
    running = 0.0
    for start in range(0, n_train, batch_size):
        rows = order[start:start + batch_size]
        pred = model(X_train[rows]).squeeze(1)
        loss = criterion(pred, y_train[rows])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        scheduler.step()
        running += loss.item()
        global_step += 1
    model.eval()
    with torch.no_grad():
        val_mae = (model(X_val).squeeze(1) - y_val).abs().mean().item()
    model.train()
    print(f"epoch {epoch:2d}  step {global_step}  train_loss {running / (n_train // batch_size + 1):.4f}  val_mae {val_mae:.4f}")
