import math
import torch

torch.manual_seed(0)


def load_spectrum(n=500):
    wavelength = torch.linspace(0.0, 10.0, n)
    center, var, height, baseline = 5.3, 0.09, 2.5, 0.15
    intensity = height * torch.exp(-(wavelength - center) ** 2 / (2 * var)) / math.sqrt(2 * math.pi * var)
    intensity = intensity + baseline + 0.03 * torch.randn(n)
    return wavelength, intensity


class GaussianPeak(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.center = torch.nn.Parameter(torch.tensor(5.0))
        self.var = torch.nn.Parameter(torch.tensor(1.0))
        self.area = torch.nn.Parameter(torch.tensor(1.0))
        self.baseline = torch.nn.Parameter(torch.tensor(0.0))

    def forward(self, w):
        var = self.var
        norm = torch.sqrt(2 * math.pi * var)
        shape = torch.exp(-(w - self.center) ** 2 / (2 * var))
        return self.area * shape / norm + self.baseline


def main():
    w, y = load_spectrum()
    model = GaussianPeak()
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10)

    def closure():
        optimizer.zero_grad()
        loss = torch.mean((model(w) - y) ** 2)
        loss.backward()
        return loss

    for it in range(15):
        loss = optimizer.step(closure)
        print(f"iter {it:2d}  loss {loss.item():.6f}  center {model.center.item():.4f}  "
              f"var {model.var.item():.4f}  area {model.area.item():.4f}")


if __name__ == "__main__":
    main()
