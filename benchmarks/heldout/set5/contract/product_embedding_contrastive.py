import torch
from torch import nn
import torch.nn.functional as F

N_PRODUCTS = 400
VIEWS_PER_PRODUCT = 4
DIM_IN = 48
TEMPERATURE = 0.05


def build_dataset():
    g = torch.Generator().manual_seed(71)
    centers = torch.randn(N_PRODUCTS, DIM_IN, generator=g)
    product = torch.arange(N_PRODUCTS).repeat_interleave(VIEWS_PER_PRODUCT)
    views = centers[product] + 0.7 * torch.randn(len(product), DIM_IN, generator=g)
    scale = torch.exp(torch.randn(len(product), 1, generator=g))
    return torch.utils.data.TensorDataset(views * scale, product)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(DIM_IN, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 64))

    def forward(self, x):
        return F.normalize(self.net(x), dim=-1)


def build_model():
    return Encoder()


def build_optimizer(params, lr):
    return torch.optim.AdamW(params, lr=lr, weight_decay=0.05)


def build_scheduler(optimizer):
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[g["lr"] * 10 for g in optimizer.param_groups],
                                               total_steps=360, pct_start=0.1)


def compute_loss(model, batch):
    x, product = batch
    z = model(x)
    same = product.unsqueeze(0) == product.unsqueeze(1)
    eye = torch.eye(len(product), dtype=torch.bool)
    positives = same & ~eye
    logits = (z @ z.T / TEMPERATURE).masked_fill(eye, -1e4)
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    n_pos = positives.sum(1)
    per_anchor = -(log_prob * positives).sum(1) / n_pos.clamp(min=1)
    supcon = per_anchor[n_pos > 0].sum() / (n_pos > 0).sum().clamp(min=1)
    d2 = (2 - 2 * z @ z.T).clamp(min=0)
    dist = torch.sqrt(d2 + 1e-12)
    spread = torch.where(positives, dist, torch.zeros_like(dist)).sum() / positives.sum().clamp(min=1)
    return {"supcon": supcon, "positive_spread": 0.1 * spread}


NANWIZ = {"lr": 1e-3, "batch_size": 96, "steps": 300}
