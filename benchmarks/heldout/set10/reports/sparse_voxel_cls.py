import torch
import torch.nn as nn
import torch.nn.functional as F

GRID = 12
NUM_CLASSES = 4


def make_shape(label, g):
    coords = []
    if label == 0:
        n = int(torch.randint(20, 60, (1,), generator=g))
        c = torch.randint(2, GRID - 2, (3,), generator=g)
        pts = c + torch.randint(-2, 3, (n, 3), generator=g)
    elif label == 1:
        n = int(torch.randint(10, 40, (1,), generator=g))
        t = torch.randint(0, GRID, (n, 1), generator=g)
        pts = torch.cat([t, t, torch.full_like(t, GRID // 2)], 1)
    elif label == 2:
        n = int(torch.randint(30, 80, (1,), generator=g))
        pts = torch.randint(0, GRID, (n, 3), generator=g)
        pts[:, 2] = 0
    else:
        n = int(torch.randint(1, 12, (1,), generator=g))
        pts = torch.randint(0, GRID, (n, 3), generator=g)
    pts = pts.clamp(0, GRID - 1)
    coords = torch.unique(pts, dim=0)
    feats = torch.rand(coords.size(0), 1, generator=g)
    return coords, feats


def build_split(n, seed):
    g = torch.Generator().manual_seed(seed)
    samples = []
    for i in range(n):
        label = i % NUM_CLASSES
        coords, feats = make_shape(label, g)
        samples.append((coords, feats, label))
    return samples


class SiteBatchNorm(nn.Module):
    """BatchNorm over the active sites of a sparse tensor (features: [n_active, C])."""

    def __init__(self, channels, eps=1e-4, momentum=0.1):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x):
        if self.training:
            mean = x.mean(0)
            var = x.var(0, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * x.var(0))
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


def neighbour_sum(coords, feats):
    key = coords[:, 0] * GRID * GRID + coords[:, 1] * GRID + coords[:, 2]
    dense = torch.zeros(GRID ** 3, feats.size(1))
    dense = dense.index_add(0, key, feats)
    vol = dense.t().reshape(1, feats.size(1), GRID, GRID, GRID)
    vol = F.avg_pool3d(vol, 3, stride=1, padding=1, count_include_pad=False) * 27
    return vol.reshape(feats.size(1), -1).t()[key]


class SubmanifoldBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.self_lin = nn.Linear(cin, cout)
        self.nb_lin = nn.Linear(cin, cout, bias=False)
        self.bn = SiteBatchNorm(cout)

    def forward(self, coords, feats):
        h = self.self_lin(feats) + self.nb_lin(neighbour_sum(coords, feats))
        return F.relu(self.bn(h))


class SparseVoxelNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = SubmanifoldBlock(1 + 3, 32)
        self.block2 = SubmanifoldBlock(32, 64)
        self.head = nn.Linear(64, NUM_CLASSES)

    def forward(self, coords, feats):
        x = torch.cat([feats, coords.float() / GRID], 1)
        x = self.block1(coords, x)
        x = self.block2(coords, x)
        return self.head(x.max(0).values)


def evaluate(model, samples):
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for coords, feats, label in samples:
            logits = model(coords, feats)
            total += F.cross_entropy(logits[None], torch.tensor([label])).item()
            correct += int(logits.argmax() == label)
    model.train()
    return total / len(samples), correct / len(samples)


def main():
    torch.manual_seed(0)
    train = build_split(160, seed=1)
    val = build_split(40, seed=2)

    model = SparseVoxelNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    step = 0
    for epoch in range(2):
        for coords, feats, label in train:
            logits = model(coords, feats)
            loss = F.cross_entropy(logits[None], torch.tensor([label]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 40 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
        val_loss, val_acc = evaluate(model, val)
        print(f"epoch {epoch} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")


if __name__ == "__main__":
    main()
