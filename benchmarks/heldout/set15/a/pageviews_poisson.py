import torch
from torch import nn

torch.manual_seed(5)

# hourly page views of 300 articles: hour-of-day, weekday, article age, promo flag, ...
n = 6000
hour = torch.randint(0, 24, (n,)).float()
weekday = torch.randint(0, 7, (n,)).float()
age_days = torch.rand(n) * 30
promoted = (torch.rand(n) < 0.15).float()
X = torch.stack([
    torch.sin(2 * torch.pi * hour / 24), torch.cos(2 * torch.pi * hour / 24),
    (weekday >= 5).float(), torch.log1p(age_days), promoted,
], dim=1)
log_rate = 5.5 + 0.8 * X[:, 0] + 0.3 * X[:, 1] - 0.4 * X[:, 2] - 0.6 * X[:, 3] + 1.5 * X[:, 4]
views = torch.poisson(torch.exp(log_rate))

perm = torch.randperm(n)
train_idx, val_idx = perm[:5000], perm[5000:]
X_train, y_train = X[train_idx], views[train_idx]
X_val, y_val = X[val_idx], views[val_idx]

model = nn.Sequential(nn.Linear(5, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=5e-3)


def poisson_nll(log_mu, y):
    mu = torch.exp(log_mu)
    return (mu - y * log_mu).mean()


batch_size = 250
step = 0
for epoch in range(3):
    order = torch.randperm(X_train.shape[0])
    for start in range(0, X_train.shape[0], batch_size):
        idx = order[start:start + batch_size]
        xb, yb = X_train[idx], y_train[idx]
        log_mu = model(xb).squeeze(1)
        loss = poisson_nll(log_mu, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 5 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.3f}")
        step += 1
    with torch.no_grad():
        val_loss = poisson_nll(model(X_val).squeeze(1), y_val)
    print(f"epoch {epoch} val poisson nll {val_loss.item():.3f}")
