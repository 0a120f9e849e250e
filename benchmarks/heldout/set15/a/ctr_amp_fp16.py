import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)

NUM_USERS = 4000
NUM_DENSE = 24

# dense features of an ad impression log: user activity, ad quality, past clicks, ...
dense = torch.randn(NUM_USERS, NUM_DENSE)
past_click_rate = torch.rand(NUM_USERS, 1)
dense = torch.cat([dense, past_click_rate], dim=1)
score = 1.5 * dense[:, :4].sum(1) + 6.0 * (past_click_rate.squeeze(1) - 0.5)
clicked = (score + 0.3 * torch.randn(NUM_USERS) > 0).float()

train_ds = TensorDataset(dense, clicked)
loader = DataLoader(train_ds, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(11))


class ClickModel(nn.Module):
    def __init__(self, in_dim):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(in_dim, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return torch.sigmoid(self.mlp(x)).squeeze(-1)


def log_loss(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


model = ClickModel(NUM_DENSE + 1)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scaler = torch.amp.GradScaler("cpu")

step = 0
for epoch in range(3):
    for x, y in loader:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            p = model(x)
            loss = log_loss(p, y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
        step += 1
