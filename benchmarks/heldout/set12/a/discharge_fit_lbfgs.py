import torch
import torch.nn as nn

torch.manual_seed(0)

seconds = torch.linspace(0, 1000, 400)
voltage_drop = 5.0 * torch.exp(-0.003 * seconds) + 0.05 * torch.randn(400)


class DischargeCurve(nn.Module):
    def __init__(self):
        super().__init__()
        self.amplitude = nn.Parameter(torch.tensor(1.0))
        self.rate = nn.Parameter(torch.tensor(0.01))

    def forward(self, t):
        return self.amplitude * torch.exp(-self.rate * t)


curve = DischargeCurve()
optimizer = torch.optim.LBFGS(curve.parameters(), lr=1.0, max_iter=20)
criterion = nn.MSELoss()


def closure():
    optimizer.zero_grad()
    loss = criterion(curve(seconds), voltage_drop)
    loss.backward()
    return loss


for it in range(10):
    loss = optimizer.step(closure)
    print(f"iter {it}  mse {loss.item():.6f}  A={curve.amplitude.item():.4f}  k={curve.rate.item():.6f}")

print(f"half-life: {torch.log(torch.tensor(2.0)).item() / curve.rate.item():.1f} s")
