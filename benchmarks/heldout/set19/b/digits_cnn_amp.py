import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(3)


def synthetic_digits(n, seed):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=g)
    protos = torch.randn(10, 1, 16, 16, generator=torch.Generator().manual_seed(42))
    imgs = protos[labels] + 0.8 * torch.randn(n, 1, 16, 16, generator=g)
    return imgs, labels


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


train_x, train_y = synthetic_digits(3072, 0)
val_x, val_y = synthetic_digits(512, 1)

model = SmallCNN()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
scaler = torch.amp.GradScaler("cpu")
batch_size = 128

step = 0
for epoch in range(3):
    perm = torch.randperm(len(train_x))
    for i in range(0, len(train_x), batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = train_x[idx], train_y[idx]
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb, reduction="sum")
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=50.0)
        scaler.step(optimizer)
        scaler.update()
        if step < 12 or step % 10 == 0:
            print(f"step {step:3d} loss/sample {loss.item() / len(yb):.4f} grad_norm {grad_norm.item():.3e} scale {scaler.get_scale():.0f}")
        step += 1
    with torch.no_grad():
        acc = (model(val_x).argmax(1) == val_y).float().mean().item()
    print(f"epoch {epoch} val_acc {acc:.3f}")
