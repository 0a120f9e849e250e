import torch
import torch.nn as nn


def load_flchain(n=600, seed=0):
    """flchain-like cohort: age, sex, kappa, lambda, creatinine, mgus, sample year."""
    g = torch.Generator().manual_seed(seed)
    age = 50 + 40 * torch.rand(n, generator=g)
    sex = (torch.rand(n, generator=g) < 0.55).float()
    kappa = torch.exp(0.3 + 0.6 * torch.randn(n, generator=g))
    lam = torch.exp(0.5 + 0.5 * torch.randn(n, generator=g))
    creatinine = 0.6 + 0.5 * torch.rand(n, generator=g) + 0.3 * torch.rand(n, generator=g) ** 4
    mgus = (torch.rand(n, generator=g) < 0.02).float()
    sample_yr = torch.randint(1995, 2004, (n,), generator=g).float()
    x = torch.stack([age, sex, kappa, lam, creatinine, mgus, sample_yr], dim=1)
    hazard = torch.exp(0.08 * (age - 70) + 0.4 * torch.log(kappa * lam) + 0.5 * creatinine)
    futime = -torch.log(torch.rand(n, generator=g)) / hazard * 3000
    censor = torch.rand(n, generator=g) * 5000
    event = (futime <= censor).float()
    time = torch.minimum(futime, censor)
    return x, time, event


class DeepSurv(nn.Module):
    def __init__(self, n_in, hidden=(32, 32), dropout=0.1):
        super().__init__()
        layers = []
        for h in hidden:
            layers += [nn.Linear(n_in, h), nn.ReLU(), nn.Dropout(dropout)]
            n_in = h
        layers.append(nn.Linear(n_in, 1, bias=False))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x).squeeze(-1)


def negative_log_likelihood(risk, event):
    # samples sorted by descending time: cumsum gives the risk set of each subject
    hazard_ratio = torch.exp(risk)
    log_risk = torch.log(torch.cumsum(hazard_ratio, dim=0))
    uncensored_likelihood = risk - log_risk
    return -torch.sum(uncensored_likelihood * event) / event.sum()


def main():
    torch.manual_seed(0)
    x, time, event = load_flchain()
    order = torch.argsort(time, descending=True)
    x, time, event = x[order], time[order], event[order]
    model = DeepSurv(x.shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=3e-3, momentum=0.9, nesterov=True)
    for epoch in range(50):
        model.train()
        risk = model(x)
        loss = negative_log_likelihood(risk, event)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(f"epoch {epoch} train loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
