import argparse
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader


def make_clicks(n=4096, n_fields=8, vocab=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    cats = torch.randint(0, vocab, (n, n_fields), generator=g)
    dense = torch.randn(n, 4, generator=g)
    w = torch.randn(n_fields, vocab, generator=g) * 0.5
    logit = w.gather(1, cats.t()).sum(0) + dense[:, 0] - 0.5 * dense[:, 1]
    clicks = (torch.rand(n, generator=g) < torch.sigmoid(logit)).float()
    return cats, dense, clicks


class CTRModel(nn.Module):
    def __init__(self, n_fields=8, vocab=50, dim=16):
        super().__init__()
        self.emb = nn.Embedding(n_fields * vocab, dim)
        self.register_buffer("offsets", torch.arange(n_fields) * vocab)
        self.mlp = nn.Sequential(
            nn.Linear(n_fields * dim + 4, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, cats, dense):
        e = self.emb(cats + self.offsets).flatten(1)
        return self.mlp(torch.cat([e, dense], dim=1)).squeeze(-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.05)
    args = p.parse_args()

    torch.manual_seed(0)
    cats, dense, clicks = make_clicks()
    loader = DataLoader(TensorDataset(cats, dense, clicks), batch_size=args.batch_size,
                        shuffle=True, generator=torch.Generator().manual_seed(0))
    model = CTRModel()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")
    loss_fn = nn.BCEWithLogitsLoss()

    step = 0
    for epoch in range(args.epochs):
        for c, d, y in loader:
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(c, d)
                loss = loss_fn(logits.float(), y)
            scaler.scale(loss).backward()
            opt.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
