import math
import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

t = torch.linspace(0, 10, 400)
TRUE = dict(amp=2.5, decay=0.35, omega=3.1, phase=0.4, offset=-0.2)
signal = TRUE["amp"] * torch.exp(-TRUE["decay"] * t) * torch.cos(TRUE["omega"] * t + TRUE["phase"]) + TRUE["offset"]


class DampedOscillator(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.log_amp = torch.nn.Parameter(torch.tensor(0.0))
        self.log_decay = torch.nn.Parameter(torch.tensor(-1.0))
        self.omega = torch.nn.Parameter(torch.tensor(3.0))
        self.phase = torch.nn.Parameter(torch.tensor(0.0))
        self.offset = torch.nn.Parameter(torch.tensor(0.0))

    def forward(self, t):
        return self.log_amp.exp() * torch.exp(-self.log_decay.exp() * t) * torch.cos(self.omega * t + self.phase) + self.offset


model = DampedOscillator()
opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=8, history_size=20,
                        tolerance_grad=1e-14, tolerance_change=1e-16, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = ((model(t) - signal) ** 2).mean()
    loss.backward()
    return loss


for outer in range(15):
    loss = opt.step(closure)
    with torch.no_grad():
        resid = ((model(t) - signal) ** 2).mean().item()
    lg = math.log10(resid) if resid > 0 else float("-inf")
    print(f"round {outer:2d} mse {resid:.3e} log10 {lg:7.2f} decay {model.log_decay.exp().item():.6f} omega {model.omega.item():.6f}")
