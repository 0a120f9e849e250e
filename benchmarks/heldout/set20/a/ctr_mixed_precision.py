import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(21)
np.random.seed(21)

N_USERS, N_ADS, N_SAMPLES = 500, 200, 12000


class ImpressionLog(Dataset):
    def __init__(self):
        users = np.random.randint(0, N_USERS, N_SAMPLES)
        ads = np.random.randint(0, N_ADS, N_SAMPLES)
        hour = np.random.randint(0, 24, N_SAMPLES)
        u_aff = np.random.normal(0, 1.5, N_USERS)
        a_aff = np.random.normal(0, 1.5, N_ADS)
        score = 2.5 * u_aff[users] + 2.5 * a_aff[ads] + 0.5 * np.cos(hour / 24 * 2 * np.pi)
        self.users = torch.tensor(users)
        self.ads = torch.tensor(ads)
        self.hour = torch.tensor(hour)
        self.clicked = torch.tensor((score > 0).astype(np.float32))

    def __len__(self):
        return N_SAMPLES

    def __getitem__(self, i):
        return self.users[i], self.ads[i], self.hour[i], self.clicked[i]


class CTRModel(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.user_emb = nn.Embedding(N_USERS, dim)
        self.ad_emb = nn.Embedding(N_ADS, dim)
        self.hour_emb = nn.Embedding(24, 8)
        self.mlp = nn.Sequential(nn.Linear(2 * dim + 8, 128), nn.ReLU(),
                                 nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, u, a, h):
        x = torch.cat([self.user_emb(u), self.ad_emb(a), self.hour_emb(h)], dim=-1)
        return self.mlp(x).squeeze(-1)


def log_loss(probs, labels):
    return -(labels * torch.log(probs) + (1 - labels) * torch.log(1 - probs)).mean()


def main():
    loader = DataLoader(ImpressionLog(), batch_size=256, shuffle=True)
    model = CTRModel()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    scaler = torch.amp.GradScaler("cpu")
    it = 0
    for epoch in range(3):
        for u, a, h, y in loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(u, a, h)
                probs = torch.sigmoid(logits)
                loss = log_loss(probs, y)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if it % 10 == 0:
                print(f"epoch {epoch} iter {it} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
            it += 1


if __name__ == "__main__":
    main()
