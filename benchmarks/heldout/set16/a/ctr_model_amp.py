import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(11)

N_USERS, N_ADS, N_IMPRESSIONS = 500, 200, 8192
user_ids = torch.randint(0, N_USERS, (N_IMPRESSIONS,))
ad_ids = torch.randint(0, N_ADS, (N_IMPRESSIONS,))
dense = torch.randn(N_IMPRESSIONS, 8)
user_taste = torch.randn(N_USERS, 4)
ad_topic = torch.randn(N_ADS, 4)
score = (user_taste[user_ids] * ad_topic[ad_ids]).sum(1) * 0.5 + dense[:, 0] * 3.0 + dense[:, 1] * 2.0
clicked = (score + torch.randn(N_IMPRESSIONS) > 0).float()

loader = DataLoader(TensorDataset(user_ids, ad_ids, dense, clicked), batch_size=256, shuffle=True)


class ClickModel(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.user_emb = nn.Embedding(N_USERS, dim)
        self.ad_emb = nn.Embedding(N_ADS, dim)
        self.mlp = nn.Sequential(nn.Linear(2 * dim + 8, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, u, a, d):
        h = torch.cat([self.user_emb(u), self.ad_emb(a), d], dim=1)
        return torch.sigmoid(self.mlp(h)).squeeze(1)


def log_loss(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


model = ClickModel()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
scaler = torch.amp.GradScaler("cpu")

step = 0
for epoch in range(3):
    for u, a, d, y in loader:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.float16):
            p = model(u, a, d)
            loss = log_loss(p, y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
        step += 1
