import torch

torch.manual_seed(7)

N_POLICIES = 2000


def make_portfolio(n):
    g = torch.Generator().manual_seed(11)
    driver_age = torch.randint(18, 80, (n,), generator=g).float()
    vehicle_age = torch.randint(0, 20, (n,), generator=g).float()
    urban = torch.bernoulli(torch.full((n,), 0.4), generator=g)
    holders = torch.randint(1, 3000, (n,), generator=g).float()
    X = torch.stack([driver_age, vehicle_age, urban, holders], dim=1)
    log_rate = -2.0 + 0.01 * (driver_age - 45).abs() / 10 + 0.03 * vehicle_age + 0.4 * urban + 0.8 * torch.log(holders) / 8
    claims = torch.poisson(log_rate.exp(), generator=g)
    return X, claims


class PoissonGLM(torch.nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, 1)
        torch.nn.init.zeros_(self.linear.weight)
        torch.nn.init.zeros_(self.linear.bias)

    def forward(self, x):
        return self.linear(x).squeeze(-1)


def deviance(eta, y):
    return (torch.exp(eta) - y * eta).mean()


def main():
    X, y = make_portfolio(N_POLICIES)
    model = PoissonGLM(X.shape[1])
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10)

    for step in range(15):
        def closure():
            optimizer.zero_grad()
            eta = model(X)
            loss = deviance(eta, y)
            loss.backward()
            return loss

        loss = optimizer.step(closure)
        with torch.no_grad():
            full = deviance(model(X), y)
        print(f"step {step:2d}  loss {loss.item():.6f}  deviance {full.item():.6f}  "
              f"coef {model.linear.weight.detach().numpy().round(4).tolist()}")


if __name__ == "__main__":
    main()
