import torch
from torch import nn

torch.manual_seed(0)

# two years of hourly electricity load, in standardized units
hours = torch.arange(0, 24 * 365 * 2, dtype=torch.float32)
load = (torch.sin(2 * torch.pi * hours / 24) + 0.5 * torch.sin(2 * torch.pi * hours / (24 * 7))
        + 0.3 * torch.sin(2 * torch.pi * hours / (24 * 365)) + 0.1 * torch.randn_like(hours))
series = load.unsqueeze(-1)  # (T, 1)


class LoadForecaster(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)

    def forward(self, x, h):
        y, h = self.rnn(x, h)
        return self.out(y), h


BATCH, CHUNK = 8, 96
usable = (series.shape[0] - 1) // BATCH * BATCH
streams_x = series[:usable].reshape(BATCH, -1, 1)
streams_y = series[1:usable + 1].reshape(BATCH, -1, 1)

model = LoadForecaster()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
criterion = nn.MSELoss()

hidden = None
for step, start in enumerate(range(0, streams_x.shape[1] - CHUNK, CHUNK)):
    x = streams_x[:, start:start + CHUNK]
    y = streams_y[:, start:start + CHUNK]
    if hidden is not None:
        hidden = hidden.detach()
    pred, hidden = model(x, hidden)
    loss = criterion(pred, y)
    optimizer.zero_grad()
    loss.backward()
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    print(f"step {step:3d}  loss {loss.item():.5f}  grad norm {grad_norm.item():.3e}")
