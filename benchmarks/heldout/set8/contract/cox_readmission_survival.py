"""DeepSurv-style Cox model for time to hospital readmission.

Covariates are standardized lab values and demographics; follow-up is
administratively censored at 24 months, so most patients have no event.
"""
import torch
from torch import nn


class ReadmissionCohort(torch.utils.data.Dataset):
    def __init__(self, n=640, n_features=14, seed=3):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, n_features, generator=g)
        beta = torch.randn(n_features, generator=g) * 0.4
        hazard = torch.exp(self.x @ beta - 5.0)
        t_event = -torch.log(torch.rand(n, generator=g)) / hazard
        t_censor = torch.rand(n, generator=g) * 24.0
        self.time = torch.minimum(t_event, t_censor)
        self.event = (t_event <= t_censor).float()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.time[i], self.event[i]


def build_model():
    return nn.Sequential(
        nn.Linear(14, 32), nn.SELU(),
        nn.Linear(32, 32), nn.SELU(),
        nn.Linear(32, 1),
    )


def build_dataset():
    return ReadmissionCohort()


def neg_partial_log_likelihood(risk, time, event):
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)
    return -((risk - log_risk_set) * event).sum() / event.sum()


def compute_loss(model, batch):
    x, time, event = batch
    risk = model(x).squeeze(-1)
    return neg_partial_log_likelihood(risk, time, event)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 200, "seed": 0}
