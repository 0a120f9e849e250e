import math
import torch

torch.manual_seed(7)

# cycling data of a Li-ion cell: capacity (Ah, normalised) vs. cycle count
cycles = torch.linspace(0, 800, 240)
true_capacity = 0.98 * (1 - 0.15 * (1 - torch.exp(-cycles / 220.0)))
capacity = true_capacity + 0.004 * torch.randn_like(cycles)


class CapacityFade(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q0 = torch.nn.Parameter(torch.tensor(1.0))
        self.fade = torch.nn.Parameter(torch.tensor(0.05))
        self.log_tau = torch.nn.Parameter(torch.tensor(math.log(100.0)))
        self.noise_var = torch.nn.Parameter(torch.tensor(0.01))

    def forward(self, t):
        tau = torch.exp(self.log_tau)
        return self.q0 * (1 - self.fade * (1 - torch.exp(-t / tau)))


def gaussian_nll(pred, target, var):
    sigma = torch.sqrt(var)
    z = (target - pred) / sigma
    return (torch.log(sigma) + 0.5 * z ** 2).mean() + 0.5 * math.log(2 * math.pi)


model = CapacityFade()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10)

for step in range(30):
    def closure():
        optimizer.zero_grad()
        pred = model(cycles)
        loss = gaussian_nll(pred, capacity, model.noise_var)
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    print(f"step {step:02d}  nll {loss.item():.5f}  q0 {model.q0.item():.4f}  "
          f"fade {model.fade.item():.4f}  tau {model.log_tau.exp().item():.1f}  "
          f"sigma^2 {model.noise_var.item():.3e}")

print("fitted noise std:", model.noise_var.sqrt().item())
