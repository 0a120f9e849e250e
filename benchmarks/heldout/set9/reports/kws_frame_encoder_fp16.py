import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

N_MFCC = 20
MAX_FRAMES = 40
N_WORDS = 6


class BertLayerNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-12):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.bias = nn.Parameter(torch.zeros(hidden_size))
        self.variance_epsilon = eps

    def forward(self, x):
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.variance_epsilon)
        return self.weight * x + self.bias


class KeywordClips(Dataset):
    """MFCC frames of spoken keywords; clips have different lengths."""

    def __init__(self, n=128, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.templates = torch.randn(N_WORDS, MAX_FRAMES, N_MFCC, generator=g)
        self.items = []
        for _ in range(n):
            w = int(torch.randint(0, N_WORDS, (1,), generator=g))
            length = int(torch.randint(24, MAX_FRAMES + 1, (1,), generator=g))
            feats = self.templates[w, :length] + 0.5 * torch.randn(length, N_MFCC, generator=g)
            self.items.append((feats, w))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    x = torch.zeros(len(batch), MAX_FRAMES, N_MFCC)
    lengths = torch.zeros(len(batch), dtype=torch.long)
    for i, (f, _) in enumerate(batch):
        x[i, :len(f)] = f
        lengths[i] = len(f)
    y = torch.tensor([w for _, w in batch])
    return x, lengths, y


class FrameEncoder(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.in_norm = BertLayerNorm(N_MFCC)
        self.proj = nn.Linear(N_MFCC, d)
        self.conv = nn.Conv1d(d, d, 5, padding=2)
        self.out_norm = BertLayerNorm(d)
        self.cls = nn.Linear(d, N_WORDS)

    def forward(self, x, lengths):
        h = self.proj(self.in_norm(x))
        h = F.gelu(self.conv(h.transpose(1, 2)).transpose(1, 2))
        h = self.out_norm(h)
        mask = (torch.arange(x.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1).to(h.dtype)
        pooled = (h * mask).sum(1) / lengths.unsqueeze(1).to(h.dtype)
        return self.cls(pooled)


def main():
    torch.manual_seed(0)
    model = FrameEncoder().half()
    loader = DataLoader(KeywordClips(), batch_size=16, shuffle=True, collate_fn=collate,
                        generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    step = 0
    for epoch in range(3):
        for x, lengths, y in loader:
            logits = model(x.half(), lengths)
            loss = F.cross_entropy(logits.float(), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            acc = (logits.argmax(1) == y).float().mean()
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} acc {acc.item():.3f}")
            step += 1


if __name__ == "__main__":
    main()
