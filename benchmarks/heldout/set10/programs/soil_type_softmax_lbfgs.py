import torch


def make_soil_samples(n_per_class=150, seed=11):
    g = torch.Generator().manual_seed(seed)
    centers = torch.tensor([
        [6.8, 22.0, 1.4, 31.0],
        [5.2, 35.0, 3.1, 18.0],
        [7.9, 12.0, 0.6, 44.0],
        [6.1, 28.0, 2.2, 25.0],
    ])
    spread = torch.tensor([0.3, 2.5, 0.3, 2.0])
    feats, labels = [], []
    for k, c in enumerate(centers):
        feats.append(c + spread * torch.randn(n_per_class, 4, generator=g))
        labels.append(torch.full((n_per_class,), k, dtype=torch.long))
    return torch.cat(feats), torch.cat(labels)


class SoftmaxRegression(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        scores = self.linear(x)
        e = torch.exp(scores)
        return e / e.sum(dim=1, keepdim=True)


def main():
    torch.manual_seed(0)
    x, y = make_soil_samples()
    model = SoftmaxRegression(x.shape[1], 4)
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10)

    def closure():
        optimizer.zero_grad()
        probs = model(x)
        loss = -torch.log(probs[torch.arange(len(y)), y]).mean()
        loss.backward()
        return loss

    for step in range(12):
        loss = optimizer.step(closure)
        with torch.no_grad():
            acc = (model(x).argmax(1) == y).float().mean().item()
        print(f"step {step:2d}  nll {loss.item():.5f}  train acc {acc:.3f}")


if __name__ == "__main__":
    main()
