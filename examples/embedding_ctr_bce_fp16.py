"""Click-through-rate model: user/ad/context embeddings concatenated into an MLP, trained
with fp16 autocast and a hand-written BCE -(y*log(p + 1e-8) + (1-y)*log(1 - p + 1e-8)).
Fine in fp32; in fp16 the eps 1e-8 rounds to 0 and sigmoid of a confident logit (> ~8)
rounds to exactly 1.0, so log(0) = -inf and 0 * -inf = NaN. Fix: BCE-with-logits / fp32 loss.
Cause: amp.fp16_underflow_log
"""
import torch
from torch import nn

N_USERS, N_ADS, N_CONTEXTS, DIM = 200, 100, 8, 16


class DeepCTR(nn.Module):
    def __init__(self):
        super().__init__()
        self.user = nn.Embedding(N_USERS, DIM)
        self.ad = nn.Embedding(N_ADS, DIM)
        self.ctx = nn.Embedding(N_CONTEXTS, DIM)
        self.mlp = nn.Sequential(nn.Linear(3 * DIM, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, user, ad, ctx):
        x = torch.cat([self.user(user), self.ad(ad), self.ctx(ctx)], dim=-1)
        return self.mlp(x).squeeze(-1)                     # logit, fp16 under autocast


def build_model():
    return DeepCTR()


def build_dataset():
    g = torch.Generator().manual_seed(0)
    n = 4096
    user = torch.randint(0, N_USERS, (n,), generator=g)
    ad = torch.randint(0, N_ADS, (n,), generator=g)
    ctx = torch.randint(0, N_CONTEXTS, (n,), generator=g)
    taste = torch.randn(N_USERS, 4, generator=g)
    topic = torch.randn(N_ADS, 4, generator=g)
    quality = 3 * torch.randn(N_ADS, generator=g)                      # some ads always win
    ctx_effect = torch.linspace(-1, 1, N_CONTEXTS)
    affinity = quality[ad] + (taste[user] * topic[ad]).sum(-1) + ctx_effect[ctx]
    clicked = (affinity + 0.3 * torch.randn(n, generator=g) > 0).float()
    return torch.utils.data.TensorDataset(user, ad, ctx, clicked)


def compute_loss(model, batch):
    user, ad, ctx, y = batch
    p = torch.sigmoid(model(user, ad, ctx))
    return -(y * torch.log(p + 1e-8) + (1 - y) * torch.log(1 - p + 1e-8)).mean()


NANWIZ = {"lr": 1e-2, "batch_size": 64, "steps": 200, "amp": "fp16", "grad_clip": None,
          "seed": 0, "shuffle": True}
