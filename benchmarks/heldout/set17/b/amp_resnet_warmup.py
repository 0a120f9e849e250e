import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(h)))


class SmallResNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.Sequential(Block(16), Block(16))
        self.fc = nn.Linear(16, n_classes)

    def forward(self, x):
        h = self.blocks(self.stem(x))
        return self.fc(h.mean((2, 3)))


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(4)
    images = torch.randn(256, 3, 8, 8, generator=g)
    labels = torch.randint(0, 10, (256,), generator=g)
    images += labels.view(-1, 1, 1, 1).float() * 0.1

    model = SmallResNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 24)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=32)

    step = 0
    for epoch in range(4):
        perm = torch.randperm(256, generator=g)
        for i in range(0, 256, 32):
            idx = perm[i:i + 32]
            with torch.autocast("cpu", dtype=torch.float16):
                loss = F.cross_entropy(model(images[idx]), labels[idx])
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scale_before = scaler.get_scale()
            scaler.step(opt)
            scaler.update()
            if scaler.get_scale() >= scale_before:
                sched.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} grad_norm {gnorm.item():.3g} "
                  f"scale {scaler.get_scale():.0f}")
            step += 1


if __name__ == "__main__":
    main()
