import torch
from torch import nn
import torch.nn.functional as F

N_CUSTOMERS = 1800


def _customers():
    g = torch.Generator().manual_seed(7)
    tenure = torch.randint(1, 72, (N_CUSTOMERS,), generator=g)
    tenure[torch.rand(N_CUSTOMERS, generator=g) < 0.01] = 0
    contract = torch.randint(0, 3, (N_CUSTOMERS,), generator=g)
    support_calls = torch.poisson(torch.full((N_CUSTOMERS,), 1.5), generator=g)
    senior = (torch.rand(N_CUSTOMERS, generator=g) < 0.16).float()
    monthly = 18 + 100 * torch.rand(N_CUSTOMERS, generator=g)
    drift = 1 + 0.15 * torch.randn(N_CUSTOMERS, generator=g)
    total_charges = (monthly * drift * tenure).round(decimals=2)
    return {"tenure": tenure.float(), "contract": contract, "support_calls": support_calls,
            "senior": senior, "monthly": monthly, "total_charges": total_charges}


class ChurnData(torch.utils.data.Dataset):
    def __init__(self):
        c = _customers()
        avg_charge = c["total_charges"] / c["tenure"]
        price_change = (c["monthly"] - avg_charge) / c["monthly"]
        self.x = torch.cat([
            (c["tenure"] / 72).unsqueeze(1),
            ((c["monthly"] - 65) / 30).unsqueeze(1),
            ((avg_charge - 65) / 30).unsqueeze(1),
            price_change.unsqueeze(1),
            torch.log1p(c["support_calls"]).unsqueeze(1),
            c["senior"].unsqueeze(1),
            F.one_hot(c["contract"], 3).float(),
        ], dim=1)
        g = torch.Generator().manual_seed(11)
        logit = (-0.04 * c["tenure"] + 0.5 * c["support_calls"] - 1.2 * (c["contract"] == 2).float()
                 + 0.3 * c["senior"] + 0.01 * (c["monthly"] - 65))
        self.y = (torch.rand(N_CUSTOMERS, generator=g) < torch.sigmoid(logit)).float()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def build_dataset():
    return ChurnData()


def build_model():
    return nn.Sequential(
        nn.Linear(9, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )


def compute_loss(model, batch):
    x, y = batch
    return F.binary_cross_entropy_with_logits(model(x).squeeze(-1), y)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 150}
