import math

import torch
from torch import nn

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

OMEGA, ZETA = 2.0, 0.2
T_END = 2.0


def exact(t):
    wd = OMEGA * math.sqrt(1 - ZETA ** 2)
    return torch.exp(-ZETA * OMEGA * t) * (torch.cos(wd * t) + ZETA * OMEGA / wd * torch.sin(wd * t))


class PINN(nn.Module):
    def __init__(self, width=20, depth=2):
        super().__init__()
        layers, d = [], 1
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.Tanh()]
            d = width
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, t):
        return self.net(t / T_END)


def residual_terms(model, t_col, t0):
    t = t_col.requires_grad_(True)
    u = model(t)
    du = torch.autograd.grad(u, t, torch.ones_like(u), create_graph=True)[0]
    d2u = torch.autograd.grad(du, t, torch.ones_like(du), create_graph=True)[0]
    ode = d2u + 2 * ZETA * OMEGA * du + OMEGA ** 2 * u
    t0 = t0.requires_grad_(True)
    u0 = model(t0)
    du0 = torch.autograd.grad(u0, t0, torch.ones_like(u0), create_graph=True)[0]
    return {
        "ode": (ode / OMEGA ** 2).pow(2).mean(),
        "ic_pos": (u0 - 1.0).pow(2).mean(),
        "ic_vel": du0.pow(2).mean(),
    }


def total_loss(terms):
    return terms["ode"] + 10.0 * terms["ic_pos"] + 10.0 * terms["ic_vel"]


def rel_l2(model):
    t = torch.linspace(0, T_END, 400).unsqueeze(1)
    with torch.no_grad():
        err = (model(t) - exact(t)).norm() / exact(t).norm()
    return err.item()


def log10_safe(x):
    return torch.log10(torch.clamp(x, min=torch.finfo(x.dtype).tiny)).item()


model = PINN()
t_col = torch.linspace(0, T_END, 80).unsqueeze(1)
t0 = torch.zeros(1, 1)

adam = torch.optim.Adam(model.parameters(), lr=5e-3)
for it in range(600):
    terms = residual_terms(model, t_col.detach().clone(), t0.clone())
    loss = total_loss(terms)
    adam.zero_grad()
    loss.backward()
    adam.step()
    if it % 150 == 0:
        print(f"adam {it:5d} loss {loss.item():.3e} log10 {log10_safe(loss.detach()):.2f} "
              + " ".join(f"{k}={v.item():.2e}" for k, v in terms.items()))
print(f"after adam: rel L2 error {rel_l2(model):.3e}")

lbfgs = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=100, history_size=50,
                          tolerance_grad=1e-14, tolerance_change=1e-16, line_search_fn="strong_wolfe")


def closure():
    lbfgs.zero_grad()
    loss = total_loss(residual_terms(model, t_col.detach().clone(), t0.clone()))
    loss.backward()
    return loss


for outer in range(8):
    loss = lbfgs.step(closure)
    print(f"lbfgs {outer} loss {loss.item():.3e} log10 {log10_safe(loss.detach()):.2f} rel_l2 {rel_l2(model):.3e}")
