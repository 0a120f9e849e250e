import torch
from torch import nn
import torch.nn.functional as F

BANDS = ["coastal", "blue", "green", "red", "nir", "swir1", "swir2", "cirrus"]
CLASSES = ["water", "forest", "cropland", "urban"]


def load_scene(n_per_class=200, seed=11):
    gen = torch.Generator().manual_seed(seed)
    centers = torch.tensor([
        [0.09, 0.08, 0.06, 0.04, 0.03, 0.02, 0.01, 0.0],
        [0.04, 0.03, 0.06, 0.04, 0.45, 0.20, 0.09, 0.0],
        [0.07, 0.06, 0.09, 0.10, 0.32, 0.28, 0.17, 0.0],
        [0.11, 0.12, 0.13, 0.15, 0.20, 0.25, 0.22, 0.0],
    ])
    noise = torch.tensor([0.02, 0.02, 0.02, 0.03, 0.06, 0.05, 0.04, 0.0])
    xs, ys = [], []
    for c in range(len(CLASSES)):
        xs.append(centers[c] + noise * torch.randn(n_per_class, len(BANDS), generator=gen))
        ys.append(torch.full((n_per_class,), c))
    return torch.cat(xs).clamp(min=0.0), torch.cat(ys)


def main():
    torch.manual_seed(0)
    reflectance, labels = load_scene()
    mean = reflectance.mean(dim=0)
    std = reflectance.std(dim=0)
    x = (reflectance - mean) / std

    model = nn.Sequential(nn.Linear(len(BANDS), 32), nn.Tanh(), nn.Linear(32, len(CLASSES)))
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=10, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        return loss

    for step in range(6):
        loss = optimizer.step(closure)
        with torch.no_grad():
            acc = (model(x).argmax(dim=1) == labels).float().mean().item()
        print(f"lbfgs step {step}: loss={loss.item():.5f} acc={acc:.3f}")


if __name__ == "__main__":
    main()
