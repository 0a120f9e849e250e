import torch
from torch import nn
import torch.nn.functional as F

N = 5000
FEATURES = 12


def build_dataset():
    g = torch.Generator().manual_seed(19)
    x = torch.randn(N, FEATURES, generator=g)
    w_click = torch.randn(FEATURES, generator=g) * 0.6
    w_buy = torch.randn(FEATURES, generator=g) * 0.6
    clicked = (torch.rand(N, generator=g) < torch.sigmoid(x @ w_click - 0.5)).float()
    bought = clicked * (torch.rand(N, generator=g) < torch.sigmoid(x @ w_buy - 2.6)).float()
    basket = torch.where(bought > 0, 3.5 + 0.4 * x[:, 0] + 0.3 * torch.randn(N, generator=g), torch.zeros(N))
    return torch.utils.data.TensorDataset(x, clicked, bought, basket)


class MultiTask(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(FEATURES, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.click_head = nn.Linear(64, 1)
        self.basket_head = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.click_head(h).squeeze(-1), self.basket_head(h).squeeze(-1)


def build_model():
    return MultiTask()


def compute_loss(model, batch):
    x, clicked, bought, basket = batch
    click_logit, basket_pred = model(x)
    has_order = bought > 0
    return {
        "click": F.binary_cross_entropy_with_logits(click_logit, clicked),
        "basket_value": F.mse_loss(basket_pred[has_order], basket[has_order]),
    }


NANWIZ = {"lr": 1e-3, "batch_size": 32, "steps": 200}
