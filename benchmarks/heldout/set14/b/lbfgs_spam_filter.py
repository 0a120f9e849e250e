import torch
from torch import nn

torch.manual_seed(9)
gen = torch.Generator().manual_seed(9)

# bag-of-keywords counts for 600 messages; spam uses a disjoint set of trigger words
n, n_words = 600, 40
is_spam = (torch.rand(n, generator=gen) < 0.4).float()
counts = torch.poisson(torch.full((n, n_words), 0.3), generator=gen)
counts[:, :8] += torch.poisson(2.0 * is_spam[:, None].expand(n, 8), generator=gen) + is_spam[:, None]
counts[:, 8:16] += torch.poisson(2.0 * (1 - is_spam)[:, None].expand(n, 8), generator=gen) + (1 - is_spam)[:, None]
features = torch.log1p(counts)

model = nn.Linear(n_words, 1)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = criterion(model(features).squeeze(1), is_spam)
    loss.backward()
    return loss


for epoch in range(30):
    loss = optimizer.step(closure)
    with torch.no_grad():
        logits = model(features).squeeze(1)
        acc = ((logits > 0).float() == is_spam).float().mean().item()
        margin = (logits * (2 * is_spam - 1)).min().item()
    print(f"epoch {epoch:2d} loss {loss.item():.3e} acc {acc:.3f} min margin {margin:.1f} "
          f"|w| {model.weight.norm().item():.1f}")
