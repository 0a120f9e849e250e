import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class FaceCrops(Dataset):
    def __init__(self, n_ids=10, per_id=8, dim=48, seed=0):
        g = torch.Generator().manual_seed(seed)
        centers = torch.randn(n_ids, dim, generator=g) * 2
        self.x = torch.cat([centers[i] + 0.7 * torch.randn(per_id, dim, generator=g) for i in range(n_ids)])
        self.y = torch.arange(n_ids).repeat_interleave(per_id)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class Embedder(nn.Module):
    def __init__(self, dim=48, emb=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, emb))

    def forward(self, x):
        return self.net(x)


def pairwise_distances(emb):
    diff = emb.unsqueeze(1) - emb.unsqueeze(0)
    sq = (diff ** 2).sum(-1)
    dist = torch.where(sq > 0, torch.sqrt(sq), torch.zeros_like(sq))
    return dist


def batch_hard_triplet_loss(labels, emb, margin=0.3):
    dist = pairwise_distances(emb)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos_mask = same & ~eye
    neg_mask = ~same
    hardest_pos = (dist * pos_mask.float()).max(1).values
    max_d = dist.max(1, keepdim=True).values
    hardest_neg = (dist + max_d * (~neg_mask).float()).min(1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


def train():
    torch.manual_seed(0)
    ds = FaceCrops()
    loader = DataLoader(ds, batch_size=32, shuffle=True, drop_last=True)
    model = Embedder()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(10):
        total = 0.0
        for x, y in loader:
            emb = model(x)
            loss = batch_hard_triplet_loss(y, emb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        sched.step()
        print(f"epoch {epoch:2d} triplet loss {total / len(loader):.4f}")


if __name__ == "__main__":
    train()
