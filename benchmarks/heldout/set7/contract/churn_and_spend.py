"""Joint model for subscription churn and next-quarter spend.

Every customer has a churn label; spend is only known for customers who made a
purchase in the follow-up window, so the regression head is fitted on those rows.
"""
import torch
from torch import nn
import torch.nn.functional as F


class ChurnSpendModel(nn.Module):
    def __init__(self, n_in=20):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.churn_head = nn.Linear(32, 1)
        self.spend_head = nn.Linear(32, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.churn_head(h).squeeze(-1), self.spend_head(h).squeeze(-1)


def build_model():
    return ChurnSpendModel()


def build_dataset():
    g = torch.Generator().manual_seed(3)
    n = 1200
    x = torch.randn(n, 20, generator=g)
    churn = (x[:, 0] + 0.5 * x[:, 1] + 0.3 * torch.randn(n, generator=g) > 0.4).float()
    purchased = (torch.rand(n, generator=g) < 0.3).float()
    log_spend = 3.0 + 0.4 * x[:, 2] - 0.2 * x[:, 3] + 0.1 * torch.randn(n, generator=g)
    spend = torch.where(purchased > 0, log_spend, torch.zeros(n))
    return torch.utils.data.TensorDataset(x, churn, spend, purchased)


def compute_loss(model, batch):
    x, churn, spend, purchased = batch
    churn_logit, spend_pred = model(x)
    has_spend = purchased > 0
    return {
        "churn": F.binary_cross_entropy_with_logits(churn_logit, churn),
        "spend": F.mse_loss(spend_pred[has_spend], spend[has_spend]),
    }


NANWIZ = {"lr": 1e-3, "batch_size": 8, "steps": 300, "seed": 0}
