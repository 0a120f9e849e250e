import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def make_spirals(n_per_arm=400, arms=3, noise=0.15, seed=0):
    g = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for k in range(arms):
        r = torch.linspace(0.05, 1.0, n_per_arm)
        theta = r * 4.0 + 2 * math.pi * k / arms + noise * torch.randn(n_per_arm, generator=g)
        xs.append(torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1))
        ys.append(torch.full((n_per_arm,), k, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


class DeepMLP(nn.Module):
    def __init__(self, d_in, width, depth, n_out):
        super().__init__()
        layers = [nn.Linear(d_in, width)]
        layers += [nn.Linear(width, width) for _ in range(depth - 1)]
        self.hidden = nn.ModuleList(layers)
        self.head = nn.Linear(width, n_out)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=1.0)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.head(x)


def main():
    torch.manual_seed(0)
    X, y = make_spirals()
    model = DeepMLP(2, width=128, depth=48, n_out=3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    for step in range(8):
        idx = torch.randint(0, len(X), (64,))
        logits = model(X[idx])
        loss = F.cross_entropy(logits, y[idx])
        opt.zero_grad()
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        opt.step()
        acc = (logits.argmax(1) == y[idx]).float().mean().item()
        print(f"step {step} loss {loss.item():.4f} grad-norm {gnorm.item():.3e} batch acc {acc:.3f}")


if __name__ == "__main__":
    main()
