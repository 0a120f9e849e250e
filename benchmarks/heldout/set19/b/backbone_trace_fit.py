import torch

torch.manual_seed(0)

N_RES = 24
BOND = 3.8


def bond_angles(xyz):
    v1 = xyz[:-2] - xyz[1:-1]
    v2 = xyz[2:] - xyz[1:-1]
    cos = (v1 * v2).sum(-1) / (v1.norm(dim=-1) * v2.norm(dim=-1))
    return torch.acos(cos.clamp(-1.0, 1.0))


target_angles = torch.deg2rad(torch.full((N_RES - 2,), 91.0) + 4.0 * torch.randn(N_RES - 2))

xyz = torch.zeros(N_RES, 3)
xyz[:, 0] = torch.arange(N_RES, dtype=torch.float32) * BOND
xyz = xyz.requires_grad_()

optimizer = torch.optim.LBFGS([xyz], lr=0.5, max_iter=20, history_size=10, line_search_fn=None)


def trace_loss():
    d = (xyz[1:] - xyz[:-1]).norm(dim=-1)
    bond_term = ((d - BOND) ** 2).mean()
    angle_term = ((bond_angles(xyz) - target_angles) ** 2).mean()
    clash = torch.relu(4.0 - torch.cdist(xyz[::2], xyz[1::2]) + 4.0 * torch.eye(N_RES // 2)).pow(2).mean()
    return bond_term + angle_term + 0.1 * clash, (bond_term, angle_term, clash)


for it in range(15):
    def closure():
        optimizer.zero_grad()
        loss, _ = trace_loss()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        loss, (b, a, t) = trace_loss()
    print(f"iter {it:2d} total {loss.item():.5f} bond {b.item():.5f} angle {a.item():.5f} clash {t.item():.5f}")

print("radius of gyration", (xyz - xyz.mean(0)).norm(dim=-1).pow(2).mean().sqrt().item())
