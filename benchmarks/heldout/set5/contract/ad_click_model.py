import torch
from torch import nn

N = 4096
N_ADS = 300
N_SITES = 80


def build_dataset():
    g = torch.Generator().manual_seed(23)
    ad = torch.randint(0, N_ADS, (N,), generator=g)
    site = torch.randint(0, N_SITES, (N,), generator=g)
    hour = torch.randint(0, 24, (N,), generator=g)
    ad_quality = 6.0 * torch.randn(N_ADS, generator=g)
    site_affinity = 1.5 * torch.randn(N_SITES, generator=g)
    logit = -1.0 + ad_quality[ad] + site_affinity[site] + 0.3 * torch.cos(hour / 24 * 6.2832)
    clicked = (torch.rand(N, generator=g) < torch.sigmoid(logit)).float()
    dense = torch.stack([torch.sin(hour / 24 * 6.2832), torch.cos(hour / 24 * 6.2832)], dim=1)
    return torch.utils.data.TensorDataset(ad, site, dense, clicked)


class CTRModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.ad_emb = nn.Embedding(N_ADS, 16)
        self.site_emb = nn.Embedding(N_SITES, 16)
        self.mlp = nn.Sequential(nn.Linear(34, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, ad, site, dense):
        h = torch.cat([self.ad_emb(ad), self.site_emb(site), dense], dim=1)
        return torch.sigmoid(self.mlp(h).squeeze(-1))


def build_model():
    return CTRModel()


def compute_loss(model, batch):
    ad, site, dense, clicked = batch
    p = model(ad, site, dense)
    return -(clicked * torch.log(p) + (1 - clicked) * torch.log(1 - p)).mean()


NANWIZ = {"lr": 3e-2, "batch_size": 128, "steps": 300}
