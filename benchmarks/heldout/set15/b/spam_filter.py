import torch
import torch.nn as nn
import torch.nn.functional as F


def make_corpus(n=800, vocab=500, seed=2):
    g = torch.Generator().manual_seed(seed)
    spam = torch.rand(n, generator=g) < 0.35
    counts = torch.poisson(torch.full((n, vocab), 0.05), generator=g)
    spam_words = torch.arange(0, 25)
    counts[spam.nonzero().squeeze(1)[:, None], spam_words] += torch.poisson(
        torch.full((int(spam.sum()), 25), 0.6), generator=g)
    counts[spam.nonzero().squeeze(1), 0] += 1
    return torch.log1p(counts), spam.float()


class SpamMLP(nn.Module):
    def __init__(self, vocab=500):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(vocab, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


def nll(z, y):
    return -(y * F.logsigmoid(z) + (1 - y) * F.logsigmoid(-z)).mean()


torch.manual_seed(0)
x, y = make_corpus()
model = SpamMLP()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)

for step in range(250):
    z = model(x)
    loss = nll(z, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 25 == 0 or step == 249:
        with torch.no_grad():
            acc = ((z > 0).float() == y).float().mean().item()
            p = torch.sigmoid(z)
        print(f"step {step:3d} loss {loss.item():.3e} acc {acc:.3f} |logit| max {z.abs().max().item():.1f} "
              f"min p(spam|spam) {p[y == 1].min().item():.6f}")
