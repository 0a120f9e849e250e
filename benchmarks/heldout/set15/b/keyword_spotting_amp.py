import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "stop", "go"]


class SyntheticMFCC(Dataset):
    def __init__(self, n=640, n_mfcc=20, frames=32, seed=5):
        g = torch.Generator().manual_seed(seed)
        self.templates = torch.randn(len(KEYWORDS), n_mfcc, frames, generator=g)
        self.labels = torch.randint(0, len(KEYWORDS), (n,), generator=g)
        self.x = self.templates[self.labels] + 0.8 * torch.randn(n, n_mfcc, frames, generator=g)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.x[i], self.labels[i]


class KWSNet(nn.Module):
    def __init__(self, n_mfcc=20, ch=48, n_cls=len(KEYWORDS)):
        super().__init__()
        self.conv1 = nn.Conv1d(n_mfcc, ch, 5, padding=2)
        self.conv2 = nn.Conv1d(ch, ch, 5, padding=2)
        self.fc = nn.Linear(ch, n_cls)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.fc(x.mean(-1))


def main():
    torch.manual_seed(0)
    loader = DataLoader(SyntheticMFCC(), batch_size=32, shuffle=True, drop_last=True)
    model = KWSNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=2e-3, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(3):
        for x, y in loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(x)
                loss = F.cross_entropy(logits, y, reduction="sum")
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 50.0)
            scaler.step(optimizer)
            scaler.update()
            if step < 8 or step % 10 == 0:
                print(f"step {step:3d} loss {loss.item() / len(y):.4f} grad_norm {grad_norm.item():.3e} scale {scaler.get_scale():.0f}")
            step += 1
    model.eval()
    with torch.no_grad():
        ds = loader.dataset
        acc = (model(ds.x).argmax(1) == ds.labels).float().mean().item()
    print(f"train accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
