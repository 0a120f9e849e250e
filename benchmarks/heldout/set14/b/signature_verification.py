"""Siamese verification of handwritten-signature descriptors with an angular-distance loss."""
import math
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

N_WRITERS = 40
PER_WRITER = 12
DESC_DIM = 96


class SignaturePairs(Dataset):
    def __init__(self, seed=21):
        g = torch.Generator().manual_seed(seed)
        prototypes = torch.randn(N_WRITERS, DESC_DIM, generator=g)
        self.writer = torch.arange(N_WRITERS).repeat_interleave(PER_WRITER)
        self.desc = prototypes[self.writer] + 0.6 * torch.randn(len(self.writer), DESC_DIM, generator=g)
        # one genuine pair and one forgery pair per reference signature
        self.pairs = []
        for i in range(len(self.writer)):
            w = int(self.writer[i])
            j = w * PER_WRITER + int(torch.randint(0, PER_WRITER, (1,), generator=g))
            self.pairs.append((i, j, 1.0))
            other = (w + 1 + int(torch.randint(0, N_WRITERS - 1, (1,), generator=g))) % N_WRITERS
            k = other * PER_WRITER + int(torch.randint(0, PER_WRITER, (1,), generator=g))
            self.pairs.append((i, k, 0.0))

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, idx):
        i, j, same = self.pairs[idx]
        return self.desc[i], self.desc[j], torch.tensor(same)


class Embedder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(DESC_DIM, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 32)
        )

    def forward(self, x):
        return self.net(x)


def angular_contrastive_loss(ea, eb, same, margin=math.pi / 2):
    cos = F.cosine_similarity(ea, eb, dim=1).clamp(-1.0, 1.0)
    angle = torch.acos(cos)
    pos = same * angle
    neg = (1 - same) * F.relu(margin - angle) ** 2
    return (pos + neg).mean()


def main():
    torch.manual_seed(21)
    ds = SignaturePairs()
    loader = DataLoader(ds, batch_size=48, shuffle=True, generator=torch.Generator().manual_seed(21))
    model = Embedder()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)

    step = 0
    for epoch in range(3):
        for a, b, same in loader:
            loss = angular_contrastive_loss(model(a), model(b), same)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    main()
