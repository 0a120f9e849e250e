import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset

parser = argparse.ArgumentParser()
parser.add_argument("--records", type=int, default=6144)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--accum-steps", type=int, default=4)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()

N_ADS = 50
N_SLOTS = 8
DIM = 16


class AdLogStream(IterableDataset):
    """Aggregated (ad, slot) rows from an impression log, produced chunk by chunk."""

    def __init__(self, n_records, seed, chunk=512):
        self.n_records = n_records
        self.seed = seed
        self.chunk = chunk

    def __iter__(self):
        rng = np.random.default_rng(self.seed)
        ad_quality = rng.normal(0, 1, size=N_ADS)
        slot_bias = np.linspace(0.5, -1.5, N_SLOTS)
        produced = 0
        while produced < self.n_records:
            n = min(self.chunk, self.n_records - produced)
            ad = rng.integers(0, N_ADS, size=n)
            slot = rng.integers(0, N_SLOTS, size=n)
            traffic = np.exp(rng.normal(2.5, 0.6, size=n))
            impressions = rng.poisson(traffic)
            p = 1 / (1 + np.exp(-(ad_quality[ad] + slot_bias[slot] - 2.0)))
            clicks = rng.binomial(impressions, p)
            ctr = clicks / impressions
            for i in range(n):
                yield int(ad[i]), int(slot[i]), np.float32(ctr[i])
            produced += n


class CTRModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.ad = nn.Embedding(N_ADS, DIM)
        self.slot = nn.Embedding(N_SLOTS, DIM)
        self.mlp = nn.Sequential(nn.Linear(2 * DIM, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, ad, slot):
        h = torch.cat([self.ad(ad), self.slot(slot)], dim=-1)
        return self.mlp(h).squeeze(-1)


def main():
    torch.manual_seed(args.seed)
    loader = DataLoader(AdLogStream(args.records, args.seed), batch_size=args.batch_size)
    model = CTRModel()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)

    opt.zero_grad()
    running = 0.0
    for it, (ad, slot, ctr) in enumerate(loader):
        logits = model(ad, slot)
        loss = F.binary_cross_entropy_with_logits(logits, ctr)
        (loss / args.accum_steps).backward()
        running += loss.item() / args.accum_steps
        if (it + 1) % args.accum_steps == 0:
            opt.step()
            opt.zero_grad()
            update = (it + 1) // args.accum_steps
            print(f"update {update:3d}  loss {running:.4f}")
            running = 0.0
    print("finished; final loss", loss.item())


if __name__ == "__main__":
    main()
