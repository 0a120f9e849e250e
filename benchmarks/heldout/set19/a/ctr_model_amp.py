import math
import torch
import torch.nn as nn
from torch.utils.data import IterableDataset, DataLoader

N_FIELDS = 6
VOCAB = 50
DENSE = 8


class ImpressionStream(IterableDataset):
    def __init__(self, n_impressions, seed):
        self.n = n_impressions
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        w_dense = torch.linspace(-2.0, 2.0, DENSE)
        field_bias = torch.randn(N_FIELDS, VOCAB, generator=g) * 1.5
        for _ in range(self.n):
            cats = torch.randint(0, VOCAB, (N_FIELDS,), generator=g)
            dense = torch.randn(DENSE, generator=g)
            score = (dense * w_dense).sum() + field_bias[torch.arange(N_FIELDS), cats].sum() - 1.0
            click = (torch.rand((), generator=g) < torch.sigmoid(2.5 * score)).float()
            yield cats, dense, click


class WideAndDeep(nn.Module):
    def __init__(self, emb_dim=16):
        super().__init__()
        self.emb = nn.ModuleList([nn.Embedding(VOCAB, emb_dim) for _ in range(N_FIELDS)])
        self.wide = nn.Linear(DENSE, 1)
        self.deep = nn.Sequential(
            nn.Linear(N_FIELDS * emb_dim + DENSE, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, cats, dense):
        e = torch.cat([m(cats[:, i]) for i, m in enumerate(self.emb)], dim=1)
        return (self.wide(dense) + self.deep(torch.cat([e, dense], dim=1))).squeeze(-1)


def log_loss(logits, clicks):
    p = torch.sigmoid(logits)
    return -(clicks * torch.log(p) + (1 - clicks) * torch.log(1 - p)).mean()


def main():
    torch.manual_seed(0)
    model = WideAndDeep()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    loader = DataLoader(ImpressionStream(256 * 150, seed=11), batch_size=256)

    for step, (cats, dense, clicks) in enumerate(loader):
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(cats, dense)
            loss = log_loss(logits, clicks)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
        if step % 20 == 0:
            print(f"step {step:4d}  logloss {loss.item():.4f}  scale {scaler.get_scale():.0f}  max|logit| {logits.abs().max().item():.2f}")


if __name__ == "__main__":
    main()
