import torch
from torch import nn

N_DENSE = 13
N_CAT = 8
CARD = 50


class CTRModel(nn.Module):
    def __init__(self, emb_dim=16, hidden=128):
        super().__init__()
        self.cat_emb = nn.ModuleList([nn.Embedding(CARD, emb_dim) for _ in range(N_CAT)])
        self.mlp = nn.Sequential(
            nn.Linear(N_DENSE + N_CAT * emb_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, dense, cats):
        embs = [e(cats[:, i]) for i, e in enumerate(self.cat_emb)]
        return self.mlp(torch.cat([dense] + embs, dim=1)).squeeze(1)


def build_model():
    return CTRModel()


def build_dataset():
    g = torch.Generator().manual_seed(3)
    n = 4096
    dense = torch.randn(n, N_DENSE, generator=g)
    cats = torch.randint(0, CARD, (n, N_CAT), generator=g)
    w = torch.randn(N_DENSE, generator=g)
    cat_effect = torch.randn(N_CAT, CARD, generator=g)
    score = dense @ w + sum(cat_effect[i, cats[:, i]] for i in range(N_CAT))
    clicked = (score > 0.5).float()
    return torch.utils.data.TensorDataset(dense, cats, clicked)


def compute_loss(model, batch):
    dense, cats, clicked = batch
    logits = model(dense, cats)
    p = torch.sigmoid(logits)
    loss = -(clicked * torch.log(p) + (1 - clicked) * torch.log(1 - p))
    return loss.mean()


NANWIZ = {"lr": 3e-3, "batch_size": 64, "steps": 150, "amp": "fp16", "seed": 0}
