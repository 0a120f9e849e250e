import math
import torch

torch.manual_seed(3)

# synthetic spectrum: one emission line on a flat background
wavelength = torch.linspace(640.0, 672.0, 400)
true_center, true_var, true_amp, true_bg = 656.3, 1.8, 40.0, 5.0
flux = true_bg + true_amp * torch.exp(-(wavelength - true_center) ** 2 / (2 * true_var))
flux = flux + 0.8 * torch.randn_like(flux)


class GaussianLine(torch.nn.Module):
    def __init__(self, center, var, area, background):
        super().__init__()
        self.center = torch.nn.Parameter(torch.tensor(center))
        self.var = torch.nn.Parameter(torch.tensor(var))
        self.area = torch.nn.Parameter(torch.tensor(area))
        self.background = torch.nn.Parameter(torch.tensor(background))

    def forward(self, x):
        sigma = torch.sqrt(self.var)
        norm = self.area / (sigma * math.sqrt(2 * math.pi))
        return self.background + norm * torch.exp(-0.5 * ((x - self.center) / sigma) ** 2)


model = GaussianLine(center=655.0, var=6.0, area=150.0, background=0.0)
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=3, history_size=10)


def closure():
    optimizer.zero_grad()
    pred = model(wavelength)
    loss = torch.mean((pred - flux) ** 2)
    loss.backward()
    return loss


for it in range(15):
    loss = optimizer.step(closure)
    with torch.no_grad():
        print(f"iter {it:2d}  loss {loss.item():.5f}  center {model.center.item():.3f}  "
              f"var {model.var.item():.4f}  area {model.area.item():.2f}  bg {model.background.item():.3f}")
