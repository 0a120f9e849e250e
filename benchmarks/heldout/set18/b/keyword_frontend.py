import math
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

SR = 8000
CLIP = 4000
N_CLASSES = 6


class ToneCommands(Dataset):
    def __init__(self, n=192, seed=0):
        g = torch.Generator().manual_seed(seed)
        t = torch.arange(CLIP) / SR
        self.waves, self.labels = [], []
        short = {37, 118, 150}
        for i in range(n):
            c = i % N_CLASSES
            f0 = 300.0 + 180.0 * c
            jitter = 1.0 + 0.03 * torch.randn(1, generator=g)
            w = 0.6 * torch.sin(2 * math.pi * f0 * jitter * t) + 0.05 * torch.randn(CLIP, generator=g)
            if i in short:
                length = 1800
                w = w[:length]
            w = F.pad(w, (0, CLIP - w.shape[0]))
            self.waves.append(w)
            self.labels.append(c)

    def __len__(self):
        return len(self.waves)

    def __getitem__(self, i):
        return self.waves[i].unsqueeze(0), self.labels[i]


class LearnableFrontend(nn.Module):
    def __init__(self, n_filters=24, win=64, hop=32, compression=0.3):
        super().__init__()
        self.filters = nn.Conv1d(1, n_filters, win, stride=hop, bias=False)
        self.compression = compression

    def forward(self, wav):
        energy = self.filters(wav) ** 2
        energy = F.avg_pool1d(energy, 4, stride=2)
        return energy ** self.compression


class KeywordNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.frontend = LearnableFrontend()
        self.norm = nn.BatchNorm1d(24)
        self.body = nn.Sequential(
            nn.Conv1d(24, 48, 5, padding=2), nn.ReLU(),
            nn.Conv1d(48, 48, 5, padding=2), nn.ReLU(),
        )
        self.head = nn.Linear(48, N_CLASSES)

    def forward(self, wav):
        h = self.body(self.norm(self.frontend(wav)))
        return self.head(h.mean(-1))


def train():
    torch.manual_seed(0)
    loader = DataLoader(ToneCommands(), batch_size=16, shuffle=True)
    model = KeywordNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    step = 0
    for epoch in range(4):
        model.train()
        total, correct, seen = 0.0, 0, 0
        for wav, label in loader:
            logits = model(wav)
            loss = F.cross_entropy(logits, label)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(label)
            correct += (logits.argmax(1) == label).sum().item()
            seen += len(label)
            step += 1
        print(f"epoch {epoch} steps {step} loss {total / seen:.4f} acc {correct / seen:.3f}")


if __name__ == "__main__":
    train()
