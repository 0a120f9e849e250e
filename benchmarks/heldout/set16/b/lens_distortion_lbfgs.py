import torch
from torch import nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def checkerboard_points(n=15):
    u = torch.linspace(-0.9, 0.9, n)
    gx, gy = torch.meshgrid(u, u, indexing="xy")
    return torch.stack([gx.flatten(), gy.flatten()], dim=1)


def brown_conrady(p, k1, k2, p1, p2):
    x, y = p[:, 0], p[:, 1]
    r2 = x * x + y * y
    radial = 1 + k1 * r2 + k2 * r2 * r2
    xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
    yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
    return torch.stack([xd, yd], dim=1)


class DistortionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.k = nn.Parameter(torch.zeros(2))
        self.p = nn.Parameter(torch.zeros(2))
        self.focal = nn.Parameter(torch.ones(1))
        self.center = nn.Parameter(torch.zeros(2))

    def forward(self, pts):
        d = brown_conrady(pts, self.k[0], self.k[1], self.p[0], self.p[1])
        return self.focal * d + self.center


ideal = checkerboard_points()
with torch.no_grad():
    observed = 1.05 * brown_conrady(ideal, -0.21, 0.048, 0.0012, -0.0007) + torch.tensor([0.013, -0.008])

model = DistortionModel()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=25, history_size=20,
                              tolerance_grad=1e-12, tolerance_change=1e-20,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    residual = model(ideal) - observed
    loss = (residual ** 2).sum(dim=1).mean()
    loss.backward()
    return loss


for it in range(12):
    loss = optimizer.step(closure)
    with torch.no_grad():
        rms_px = (model(ideal) - observed).pow(2).sum(1).mean().sqrt() * 1000
    print(f"iter {it:2d} loss {loss.item():.3e} reprojection rms {rms_px.item():.4f} px  "
          f"k={model.k.data.tolist()} p={model.p.data.tolist()}")

print("focal", model.focal.item(), "center", model.center.data.tolist())
