import math
import torch
from torch import nn

torch.manual_seed(3)

wavelength = torch.linspace(400.0, 700.0, 600)
true_center, true_width, true_height = 532.0, 1.5, 3.5
spectrum = true_height * torch.exp(-(wavelength - true_center) ** 2 / (2 * true_width ** 2))
spectrum = spectrum + 0.15 * torch.randn_like(spectrum) + 0.4


class GaussianPeak(nn.Module):
    def __init__(self):
        super().__init__()
        self.height = nn.Parameter(torch.tensor(1.0))
        self.center = nn.Parameter(torch.tensor(530.0))
        self.variance = nn.Parameter(torch.tensor(25.0))
        self.baseline = nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        width = torch.sqrt(self.variance)
        return self.height * torch.exp(-(x - self.center) ** 2 / (2 * width ** 2)) + self.baseline


model = GaussianPeak()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10)


def closure():
    optimizer.zero_grad()
    pred = model(wavelength)
    loss = ((pred - spectrum) ** 2).mean()
    loss.backward()
    return loss


for step in range(30):
    loss = optimizer.step(closure)
    with torch.no_grad():
        print(f"step {step:2d} loss {loss.item():.5f} center {model.center.item():.3f} "
              f"variance {model.variance.item():.3f} height {model.height.item():.3f}")
print("fitted FWHM:", 2 * math.sqrt(2 * math.log(2)) * model.variance.sqrt().item())
