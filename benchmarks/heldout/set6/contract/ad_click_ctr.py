import torch
from torch import nn

N_USERS, N_ADS, N_CTX = 300, 120, 6
N_IMPRESSIONS = 4000


class CTRModel(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.user = nn.Embedding(N_USERS, dim)
        self.ad = nn.Embedding(N_ADS, dim)
        self.ctx = nn.Linear(N_CTX, dim)
        self.mlp = nn.Sequential(nn.Linear(3 * dim, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, user, ad, ctx):
        h = torch.cat([self.user(user), self.ad(ad), self.ctx(ctx)], dim=-1)
        return torch.sigmoid(self.mlp(h)).squeeze(-1)


def build_model():
    return CTRModel()


def build_dataset():
    g = torch.Generator().manual_seed(77)
    user = torch.randint(0, N_USERS, (N_IMPRESSIONS,), generator=g)
    ad = torch.randint(0, N_ADS, (N_IMPRESSIONS,), generator=g)
    ctx = torch.randn(N_IMPRESSIONS, N_CTX, generator=g)
    affinity = torch.randn(N_USERS, generator=g)[user] + torch.randn(N_ADS, generator=g)[ad]
    logit = 2.0 * affinity + 1.5 * ctx[:, 0] - 1.0
    clicked = (logit + 0.3 * torch.randn(N_IMPRESSIONS, generator=g) > 0).float()
    return torch.utils.data.TensorDataset(user, ad, ctx, clicked)


def compute_loss(model, batch):
    user, ad, ctx, clicked = batch
    p = model(user, ad, ctx)
    ll = clicked * torch.log(p) + (1 - clicked) * torch.log(1 - p)
    return -ll.mean()


NANWIZ = {"lr": 1e-2, "batch_size": 128, "steps": 300, "seed": 0}
