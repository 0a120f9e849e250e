import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)

# small, clean, perfectly separable problem: the loss should go to ~0
N, D, C = 512, 32, 4
prototypes = torch.randn(C, D) * 6
labels = torch.randint(0, C, (N,))
inputs = prototypes[labels] + 0.3 * torch.randn(N, D)

model = nn.Sequential(nn.Linear(D, 128), nn.ReLU(), nn.Linear(128, C))
with torch.no_grad():
    model[2].weight.mul_(40.0)  # start from sharp logits
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loader = DataLoader(TensorDataset(inputs, labels), batch_size=16, shuffle=True,
                    generator=torch.Generator().manual_seed(8))
ACCUM = 4

step = 0
for epoch in range(8):
    optimizer.zero_grad()
    for i, (x, y) in enumerate(loader):
        logits = model(x)
        loss = F.cross_entropy(logits, y) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0:
            optimizer.step()
            optimizer.zero_grad()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step:3d}  loss {loss.item() * ACCUM:.3e}  "
                      f"max|logit| {logits.abs().max().item():.1f}")
            step += 1
print("final train loss", F.cross_entropy(model(inputs), labels).item())
