import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(13)


class FieldPatches(Dataset):
    def __init__(self, n=1024):
        g = torch.Generator().manual_seed(0)
        greenness = torch.rand(n, generator=g)
        base = torch.randint(0, 256, (n, 3, 24, 24), generator=g, dtype=torch.uint8)
        green = (greenness.view(n, 1, 1) * 200 + 40 * torch.rand(n, 24, 24, generator=g)).clamp(0, 255)
        base[:, 1] = green.to(torch.uint8)
        self.images = base
        self.yield_t_per_ha = 2.0 + 6.0 * greenness + 0.3 * torch.randn(n, generator=g)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i].float(), self.yield_t_per_ha[i]


class YieldNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1, stride=2), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        return self.head(self.features(x).flatten(1)).squeeze(-1)


loader = DataLoader(FieldPatches(), batch_size=16, shuffle=True)
model = YieldNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.003, momentum=0.9)
criterion = nn.MSELoss()
accum_steps = 4

optimizer.zero_grad()
step = 0
for epoch in range(3):
    for i, (images, target) in enumerate(loader):
        loss = criterion(model(images), target) / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
            if step % 4 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item() * accum_steps:.4f}")
            step += 1
