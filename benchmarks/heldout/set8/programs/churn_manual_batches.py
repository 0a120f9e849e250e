import torch
import torch.nn as nn

torch.manual_seed(6)

# telecom churn: tenure, monthly charge, support calls, data usage, contract length, late payments
n_customers = 961
X = torch.randn(n_customers, 6) * torch.tensor([24.0, 30.0, 2.0, 8.0, 10.0, 1.5]) \
    + torch.tensor([36.0, 70.0, 3.0, 20.0, 12.0, 1.0])
logit = -0.05 * X[:, 0] + 0.03 * X[:, 1] + 0.6 * X[:, 2] - 0.1 * X[:, 4] + 0.8 * X[:, 5] - 2.0
y = torch.bernoulli(torch.sigmoid(logit)).unsqueeze(1)


class ChurnModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        mu = x.mean(dim=0, keepdim=True)
        sigma = x.std(dim=0, keepdim=True)
        return self.net((x - mu) / (sigma + 1e-6))


model = ChurnModel()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.BCEWithLogitsLoss()
batch_size = 64

step = 0
for epoch in range(3):
    perm = torch.randperm(n_customers)
    Xs, ys = X[perm], y[perm]
    for start in range(0, n_customers, batch_size):
        xb = Xs[start:start + batch_size]
        yb = ys[start:start + batch_size]
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 5 == 0:
            print(f"epoch {epoch} step {step} batch {len(xb)} loss {loss.item():.4f}")
        step += 1
print("final loss", loss.item())
