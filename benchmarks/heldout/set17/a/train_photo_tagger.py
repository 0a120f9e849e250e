import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)

N, D_IN, N_TAGS = 2048, 48, 12

# precomputed image embeddings and multi-hot tags scraped from user albums
emb = torch.randn(N, D_IN)
tag_proj = torch.randn(D_IN, N_TAGS)
tags = (emb @ tag_proj > 1.0).float()
# users forget to tag things: some strongly-present tags are missing from the labels
missing = torch.rand(N, N_TAGS) < 0.03
tags[missing & ((emb @ tag_proj) > 4.0)] = 0.0

model = nn.Sequential(nn.Linear(D_IN, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                      nn.Linear(256, N_TAGS))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scaler = torch.amp.GradScaler("cpu")
loader = DataLoader(TensorDataset(emb, tags), batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(21))


def tag_loss(logits, targets):
    probs = torch.sigmoid(logits)
    pos = targets * torch.log(probs)
    neg = (1 - targets) * torch.log(1 - probs)
    return -(pos + neg).mean()


step = 0
for epoch in range(4):
    for x, y in loader:
        with torch.autocast("cpu", dtype=torch.float16):
            logits = model(x)
            loss = tag_loss(logits, y)
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if step % 20 == 0:
            print(f"epoch {epoch} step {step:4d}  loss {loss.item():.4f}  scale {scaler.get_scale():.0f}")
        step += 1
