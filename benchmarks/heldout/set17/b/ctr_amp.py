import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class ClickLog(Dataset):
    def __init__(self, n=4096, n_users=500, n_ads=200, seed=17):
        g = torch.Generator().manual_seed(seed)
        self.user = torch.randint(0, n_users, (n,), generator=g)
        self.ad = torch.randint(0, n_ads, (n,), generator=g)
        self.dense = torch.randn(n, 8, generator=g)
        affinity = torch.randn(n_users, generator=g)[self.user] + torch.randn(n_ads, generator=g)[self.ad]
        score = 2.5 * affinity + 2.0 * self.dense[:, 0]
        self.click = (score + 0.5 * torch.randn(n, generator=g) > 0).float()

    def __len__(self):
        return len(self.click)

    def __getitem__(self, i):
        return self.user[i], self.ad[i], self.dense[i], self.click[i]


class CTRModel(nn.Module):
    def __init__(self, n_users=500, n_ads=200, dim=16):
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.ad_emb = nn.Embedding(n_ads, dim)
        self.mlp = nn.Sequential(nn.Linear(2 * dim + 8, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, user, ad, dense):
        h = torch.cat([self.user_emb(user), self.ad_emb(ad), dense], dim=1)
        return self.mlp(h).squeeze(1)


def bce(prob, target):
    return -(target * torch.log(prob) + (1 - target) * torch.log(1 - prob)).mean()


def main():
    torch.manual_seed(0)
    data = ClickLog()
    loader = DataLoader(data, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(0))
    model = CTRModel()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(3):
        for user, ad, dense, click in loader:
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                prob = torch.sigmoid(model(user, ad, dense))
                loss = bce(prob, click)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if step % 16 == 0 or not torch.isfinite(loss):
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
            step += 1


if __name__ == "__main__":
    main()
