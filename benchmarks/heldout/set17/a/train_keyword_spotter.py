import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(3)

N_CLIPS, N_MELS, N_FRAMES, N_WORDS = 600, 40, 32, 10
BATCH = 32
EPOCHS = 3

# log-mel features of 1 s command clips (synthetic stand-in)
labels = torch.randint(0, N_WORDS, (N_CLIPS,))
templates = torch.randn(N_WORDS, N_MELS, N_FRAMES)
features = templates[labels] + 0.8 * torch.randn(N_CLIPS, N_MELS, N_FRAMES)
features = features * 3.0 + 10.0
# a few recordings from the "background" folder were pure digital silence
silent = [263, 418, 77]
features[silent] = 0.0


class UtteranceNorm(nn.Module):
    def forward(self, x):
        mean = x.mean(dim=(1, 2), keepdim=True)
        std = x.std(dim=(1, 2), keepdim=True)
        return (x - mean) / std


class KeywordCNN(nn.Module):
    def __init__(self, n_words):
        super().__init__()
        self.norm = UtteranceNorm()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.head = nn.Linear(32, n_words)

    def forward(self, x):
        x = self.norm(x).unsqueeze(1)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.conv2(x))
        x = x.mean(dim=(2, 3))
        return self.head(x)


model = KeywordCNN(N_WORDS)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

step = 0
for epoch in range(EPOCHS):
    order = torch.randperm(N_CLIPS)
    for start in range(0, N_CLIPS, BATCH):
        idx = order[start:start + BATCH]
        xb, yb = features[idx], labels[idx]
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 5 == 0:
            acc = (logits.argmax(1) == yb).float().mean().item()
            print(f"epoch {epoch} step {step:3d}  loss {loss.item():.4f}  acc {acc:.2f}")
        step += 1
