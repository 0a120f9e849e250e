import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(2)

N_MELS, N_CLASSES = 40, 6


class KeywordClips(Dataset):
    def __init__(self, n=600):
        g = torch.Generator().manual_seed(1)
        self.labels = torch.randint(0, N_CLASSES, (n,), generator=g)
        self.lengths = torch.full((n,), 50)
        clipped = torch.rand(n, generator=g) < 0.01
        self.lengths[clipped] = torch.randint(20, 50, (int(clipped.sum()),), generator=g)
        self.templates = torch.randn(N_CLASSES, N_MELS, generator=g)
        self.seeds = torch.randint(0, 10_000_000, (n,), generator=g)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(int(self.seeds[i]))
        T = int(self.lengths[i])
        frames = self.templates[self.labels[i]] + 0.8 * torch.randn(T, N_MELS, generator=g)
        return frames, self.labels[i]


def pad_collate(batch):
    feats, labels = zip(*batch)
    lengths = torch.tensor([f.shape[0] for f in feats])
    padded = torch.zeros(len(feats), int(lengths.max()), N_MELS)
    for i, f in enumerate(feats):
        padded[i, : f.shape[0]] = f
    mask = torch.arange(padded.shape[1])[None, :] < lengths[:, None]
    return padded, mask, torch.stack(labels)


class FrameNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        sigma = x.std(-1, keepdim=True)
        return self.gain * (x - mu) / sigma + self.bias


class KWSModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = FrameNorm(N_MELS)
        self.frame_mlp = nn.Sequential(nn.Linear(N_MELS, 96), nn.ReLU(), nn.Linear(96, 96), nn.ReLU())
        self.out = nn.Linear(96, N_CLASSES)

    def forward(self, x, mask):
        h = self.frame_mlp(self.norm(x))
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        return self.out(pooled)


loader = DataLoader(KeywordClips(), batch_size=16, shuffle=True, collate_fn=pad_collate)
model = KWSModel()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(3):
    correct = total = 0
    for step, (x, mask, y) in enumerate(loader):
        logits = model(x, mask)
        loss = criterion(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        correct += (logits.argmax(1) == y).sum().item()
        total += len(y)
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
    print(f"epoch {epoch} train acc {correct / total:.3f}")
