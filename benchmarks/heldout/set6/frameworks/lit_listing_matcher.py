"""Siamese matcher for marketplace listings.

Each training example is a pair of listing feature vectors (title embedding
stats + price/category features) and a flag saying whether both listings
describe the same product. Trained with a margin-based contrastive loss.
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

import lightning as L

N_FEATURES = 24


def load_catalogue(n_products=120, seed=7):
    """Listings grouped by the product they were matched to by the curation team."""
    g = torch.Generator().manual_seed(seed)
    prototypes = torch.randn(n_products, N_FEATURES, generator=g)
    features, product_of = [], []
    for p in range(n_products):
        n_listings = int(torch.randint(6, 14, (1,), generator=g))
        for _ in range(n_listings):
            features.append(prototypes[p] + 0.3 * torch.randn(N_FEATURES, generator=g))
            product_of.append(p)
    return torch.stack(features), torch.tensor(product_of)


def sample_pairs(product_of, n_pairs=640, seed=11):
    g = torch.Generator().manual_seed(seed)
    by_product = {}
    for idx, p in enumerate(product_of.tolist()):
        by_product.setdefault(p, []).append(idx)
    products = sorted(by_product)
    pairs = []
    for i in range(n_pairs):
        p = products[int(torch.randint(len(products), (1,), generator=g))]
        group = by_product[p]
        a = group[int(torch.randint(len(group), (1,), generator=g))]
        if i % 4 == 0:
            b = group[int(torch.randint(len(group), (1,), generator=g))]
            pairs.append((a, b, 1.0))
        else:
            q = products[int(torch.randint(len(products), (1,), generator=g))]
            while q == p:
                q = products[int(torch.randint(len(products), (1,), generator=g))]
            other = by_product[q]
            b = other[int(torch.randint(len(other), (1,), generator=g))]
            pairs.append((a, b, 0.0))
    return pairs


class ListingPairs(Dataset):
    def __init__(self):
        self.features, product_of = load_catalogue()
        self.pairs = sample_pairs(product_of)

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, idx):
        a, b, same = self.pairs[idx]
        return self.features[a], self.features[b], torch.tensor(same)


class ListingEncoder(nn.Module):
    def __init__(self, in_dim=N_FEATURES, hidden=64, out_dim=16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, out_dim),
        )

    def forward(self, x):
        return self.net(x)


class SiameseMatcher(L.LightningModule):
    def __init__(self, margin=2.0, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = ListingEncoder()

    def distance(self, a, b):
        return (a - b).pow(2).sum(dim=1).sqrt()

    def training_step(self, batch, batch_idx):
        left, right, same = batch
        d = self.distance(self.encoder(left), self.encoder(right))
        pos = same * d.pow(2)
        neg = (1.0 - same) * F.relu(self.hparams.margin - d).pow(2)
        loss = 0.5 * (pos + neg).mean()
        self.log("train_loss", loss)
        print(f"epoch {self.current_epoch} step {self.global_step:4d} loss {loss.item():.5f} "
              f"mean_dist {d.mean().item():.4f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    L.seed_everything(42, workers=True)
    ds = ListingPairs()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, num_workers=0)
    model = SiameseMatcher()
    trainer = L.Trainer(
        accelerator="cpu",
        devices=1,
        max_epochs=args.epochs,
        gradient_clip_val=1.0,
        enable_progress_bar=False,
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
    )
    trainer.fit(model, loader)


if __name__ == "__main__":
    main()
