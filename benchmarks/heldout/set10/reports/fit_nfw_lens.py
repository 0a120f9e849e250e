import math
import torch


def nfw_h(x):
    branch = torch.where(
        x < 1,
        torch.arccosh(1.0 / x) / torch.sqrt(1.0 - x ** 2),
        torch.where(x > 1, torch.arccos(1.0 / x) / torch.sqrt(x ** 2 - 1.0), torch.ones_like(x)),
    )
    return torch.log(x / 2.0) + branch


class NFWLens(torch.nn.Module):
    def __init__(self, log_kappa_s=0.0, log_r_s=0.0):
        super().__init__()
        self.log_kappa_s = torch.nn.Parameter(torch.tensor(log_kappa_s))
        self.log_r_s = torch.nn.Parameter(torch.tensor(log_r_s))

    def deflection(self, r):
        kappa_s = self.log_kappa_s.exp()
        r_s = self.log_r_s.exp()
        x = r / r_s
        return 4.0 * kappa_s * r_s * nfw_h(x) / x


def make_observations(n=200, seed=3):
    g = torch.Generator().manual_seed(seed)
    truth = NFWLens(math.log(0.35), math.log(1.8))
    r = torch.rand(n, generator=g) * 5.5 + 0.2
    with torch.no_grad():
        alpha = truth.deflection(r)
    alpha_obs = alpha + 0.01 * torch.randn(n, generator=g)
    return r, alpha_obs


def main():
    torch.manual_seed(0)
    r, alpha_obs = make_observations()
    lens = NFWLens(log_kappa_s=math.log(0.2), log_r_s=math.log(1.0))
    opt = torch.optim.Adam(lens.parameters(), lr=0.02)
    for it in range(300):
        opt.zero_grad()
        pred = lens.deflection(r)
        loss = ((pred - alpha_obs) ** 2).mean()
        loss.backward()
        opt.step()
        if it % 25 == 0:
            print(f"iter {it:4d}  chi2 {loss.item():.6f}  kappa_s {lens.log_kappa_s.exp().item():.4f}  r_s {lens.log_r_s.exp().item():.4f}")
    print("fitted kappa_s", lens.log_kappa_s.exp().item(), "r_s", lens.log_r_s.exp().item())


if __name__ == "__main__":
    main()
