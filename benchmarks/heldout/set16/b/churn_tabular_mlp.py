import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)

N_CUSTOMERS = 257
N_FEATURES = 18


def load_customers():
    g = torch.Generator().manual_seed(11)
    x = torch.randn(N_CUSTOMERS, N_FEATURES, generator=g)
    w = torch.randn(N_FEATURES, generator=g)
    logits = x @ w * 0.8 + 0.3 * torch.randn(N_CUSTOMERS, generator=g)
    y = (logits > 0).float()
    return x, y


class FeatureNorm(nn.Module):
    """Batch standardisation with a running estimate for inference."""

    def __init__(self, dim, momentum=0.1, eps=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))
        self.register_buffer("running_mean", torch.zeros(dim))
        self.register_buffer("running_var", torch.ones(dim))
        self.momentum = momentum
        self.eps = eps

    def forward(self, x):
        if self.training:
            mean = x.mean(dim=0)
            var = x.var(dim=0)
            with torch.no_grad():
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var, self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        return self.gamma * (x - mean) / torch.sqrt(var + self.eps) + self.beta


class ChurnModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(N_FEATURES, 64)
        self.norm1 = FeatureNorm(64)
        self.fc2 = nn.Linear(64, 32)
        self.norm2 = FeatureNorm(32)
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        x = F.relu(self.norm1(self.fc1(x)))
        x = F.relu(self.norm2(self.fc2(x)))
        return self.head(x).squeeze(-1)


x, y = load_customers()
train_loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
model = ChurnModel()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

global_step = 0
for epoch in range(4):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(xb), yb)
        loss.backward()
        optimizer.step()
        print(f"step {global_step:3d} batch {len(xb):2d} loss {loss.item():.4f}")
        global_step += 1
    scheduler.step()

    model.eval()
    with torch.no_grad():
        acc = ((model(x) > 0).float() == y).float().mean()
    print(f"epoch {epoch} train acc {acc.item():.3f}")
