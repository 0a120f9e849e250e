import argparse

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def promoter_features(n_genes=258, n_motifs=20, seed=11):
    g = torch.Generator().manual_seed(seed)
    motif_counts = torch.poisson(torch.full((n_genes, n_motifs), 1.5), generator=g)
    gc = torch.rand(n_genes, 1, generator=g)
    x = torch.cat([motif_counts / 3.0, gc], dim=1)
    w = torch.randn(n_motifs + 1, generator=g)
    log_expr = x @ w + 0.5 * torch.randn(n_genes, generator=g)
    return x, log_expr


def pearson_loss(pred, target):
    pc = pred - pred.mean()
    tc = target - target.mean()
    cov = (pc * tc).mean()
    r = cov / (pred.std() * target.std())
    return 1 - r


class ExpressionNet(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU())
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(self.body(x)).squeeze(-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    args = p.parse_args()

    dist.init_process_group(backend="gloo")
    rank = dist.get_rank()
    torch.manual_seed(1234)

    x, y = promoter_features()
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, shuffle=True, seed=1)
    loader = DataLoader(ds, batch_size=args.batch_size, sampler=sampler)

    model = DDP(ExpressionNet(x.shape[1]))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * len(loader))

    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        total, seen = 0.0, 0
        for xb, yb in loader:
            loss = pearson_loss(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item() * len(yb)
            seen += len(yb)
        if rank == 0:
            print(f"epoch {epoch}: mean (1 - r) = {total / seen:.4f}", flush=True)

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
