import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


class ListingPairs(Dataset):
    """Pairs of product listings (title/attribute vectors); label 1 = same product."""

    def __init__(self, n_products=60, n_pairs=320, dim=24, seed=5):
        g = torch.Generator().manual_seed(seed)
        self.protos = torch.randn(n_products, dim, generator=g)
        self.pairs = []
        for k in range(n_pairs):
            p = int(torch.randint(0, n_products, (1,), generator=g))
            a = self.protos[p] + 0.3 * torch.randn(dim, generator=g)
            if k % 2 == 0:
                if k % 50 == 30:
                    b = a.clone()  # re-posted listing, identical text
                else:
                    b = self.protos[p] + 0.3 * torch.randn(dim, generator=g)
                label = 1.0
            else:
                q = (p + 1 + int(torch.randint(0, n_products - 1, (1,), generator=g))) % n_products
                b = self.protos[q] + 0.3 * torch.randn(dim, generator=g)
                label = 0.0
            self.pairs.append((a, b, torch.tensor(label)))

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, i):
        return self.pairs[i]


class Encoder(nn.Module):
    def __init__(self, dim=24, emb=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, 64), nn.GELU(), nn.Linear(64, emb))

    def forward(self, x):
        return F.normalize(self.net(x), dim=-1)


def angular_contrastive(za, zb, label, margin=1.2):
    cos = (za * zb).sum(-1).clamp(-1.0, 1.0)
    theta = torch.acos(cos)
    pos = label * theta.pow(2)
    neg = (1 - label) * F.relu(margin - theta).pow(2)
    return (pos + neg).mean()


def train():
    torch.manual_seed(0)
    data = ListingPairs()
    loader = DataLoader(data, batch_size=16, shuffle=True)
    enc = Encoder()
    opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
    step = 0
    for epoch in range(5):
        for a, b, label in loader:
            za, zb = enc(a), enc(b)
            loss = angular_contrastive(za, zb, label)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(enc.parameters(), max_norm=5.0)
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} grad_norm {gnorm.item():.3f}")
            step += 1


if __name__ == "__main__":
    train()
