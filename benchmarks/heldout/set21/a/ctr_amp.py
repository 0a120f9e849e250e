import torch
import torch.nn as nn

torch.manual_seed(12)

N_USERS, N_ADS, DIM = 120, 40, 32


def make_impressions(n=10000):
    g = torch.Generator().manual_seed(8)
    segment = torch.randint(0, 6, (N_USERS,), generator=g)
    category = torch.randint(0, 6, (N_ADS,), generator=g)
    users = torch.randint(0, N_USERS, (n,), generator=g)
    ads = torch.randint(0, N_ADS, (n,), generator=g)
    clicks = (segment[users] == category[ads]).float()
    return users, ads, clicks


class CTRModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.user = nn.Embedding(N_USERS, DIM)
        self.ad = nn.Embedding(N_ADS, DIM)
        self.tower = nn.Sequential(nn.Linear(2 * DIM, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, u, a):
        return self.tower(torch.cat([self.user(u), self.ad(a)], dim=-1)).squeeze(-1)


def log_loss(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def main():
    users, ads, clicks = make_impressions()
    n_train = 8000
    model = CTRModel()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    scaler = torch.amp.GradScaler("cpu")
    bs = 256
    step = 0
    for epoch in range(4):
        perm = torch.randperm(n_train)
        for s in range(0, n_train, bs):
            idx = perm[s:s + bs]
            with torch.autocast("cpu", dtype=torch.float16):
                p = torch.sigmoid(model(users[idx], ads[idx]))
                loss = log_loss(p, clicks[idx])
            opt.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            if step % 25 == 0:
                print(f"step {step} loss {loss.item():.4f} scale {scaler.get_scale():.0f}")
            step += 1
        with torch.no_grad():
            p = torch.sigmoid(model(users[n_train:], ads[n_train:]))
            acc = ((p > 0.5).float() == clicks[n_train:]).float().mean().item()
        print(f"epoch {epoch} val_acc {acc:.3f}")


if __name__ == "__main__":
    main()
