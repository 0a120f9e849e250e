import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)

n_items, dim, batch, temperature = 2048, 32, 128, 0.01
g = torch.Generator().manual_seed(0)
items = torch.randn(n_items, dim, generator=g)


def augment(x):
    return x + 0.1 * torch.randn_like(x)


encoder = nn.Sequential(nn.Linear(dim, 128), nn.ReLU(), nn.Linear(128, 64))
optimizer = torch.optim.Adam(encoder.parameters(), lr=2e-3)

for step in range(200):
    idx = torch.randint(0, n_items, (batch,), generator=g)
    a = F.normalize(encoder(augment(items[idx])), dim=1)
    b = F.normalize(encoder(augment(items[idx])), dim=1)
    logits = a @ b.t() / temperature
    log_probs = F.log_softmax(logits, dim=1)
    loss = -log_probs.diagonal().mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 20 == 0 or step == 199:
        with torch.no_grad():
            off_diag = log_probs.masked_fill(torch.eye(batch, dtype=torch.bool), 0).min().item()
        print(f"step {step:3d}  loss {loss.item():.3e}  max logit {logits.max().item():.1f}  "
              f"min log p {off_diag:.1f}")
