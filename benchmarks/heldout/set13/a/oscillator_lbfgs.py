import math
import torch

torch.manual_seed(0)

# synthetic accelerometer trace of a damped spring-mass system
t = torch.linspace(0.0, 12.0, 600)
true_omega0, true_gamma, true_amp, true_phase = 2.1, 0.35, 1.4, 0.3
omega_d = math.sqrt(true_omega0 ** 2 - true_gamma ** 2)
signal = true_amp * torch.exp(-true_gamma * t) * torch.cos(omega_d * t + true_phase)
signal = signal + 0.03 * torch.randn_like(signal)


class DampedOscillator(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.omega0 = torch.nn.Parameter(torch.tensor(3.0))
        self.gamma = torch.nn.Parameter(torch.tensor(0.5))
        self.amp = torch.nn.Parameter(torch.tensor(1.0))
        self.phase = torch.nn.Parameter(torch.tensor(0.0))

    def forward(self, t):
        wd = torch.sqrt(self.omega0 ** 2 - self.gamma ** 2)
        return self.amp * torch.exp(-self.gamma * t) * torch.cos(wd * t + self.phase)


model = DampedOscillator()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=1, history_size=10)


def closure():
    optimizer.zero_grad()
    pred = model(t)
    loss = torch.mean((pred - signal) ** 2)
    loss.backward()
    return loss


for it in range(60):
    loss = optimizer.step(closure)
    print(f"iter {it:02d} loss {loss.item():.6f} omega0 {model.omega0.item():.4f} gamma {model.gamma.item():.4f}")
