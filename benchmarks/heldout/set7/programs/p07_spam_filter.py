import argparse
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader


def make_corpus(n=2000, vocab=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    spam_words = torch.arange(0, 30)
    ham_words = torch.arange(30, 60)
    y = (torch.rand(n, generator=g) < 0.4).float()
    counts = torch.poisson(torch.full((n, vocab), 0.05), generator=g)
    for i in range(n):
        pool = spam_words if y[i] > 0 else ham_words
        picks = pool[torch.randint(0, len(pool), (6,), generator=g)]
        counts[i].index_add_(0, picks, torch.ones(6))
    tfidf = torch.log1p(counts)
    return tfidf, y


class SpamNet(nn.Module):
    def __init__(self, vocab=300, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(vocab, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return torch.sigmoid(self.net(x)).squeeze(-1)


def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-2)
    args = ap.parse_args()

    torch.manual_seed(0)
    x, y = make_corpus()
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = SpamNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    stop = False
    for epoch in range(args.epochs):
        correct = 0
        for xb, yb in loader:
            opt.zero_grad()
            p = model(xb)
            loss = bce(p, yb)
            if not torch.isfinite(loss):
                print(f"non-finite loss at epoch {epoch} step {step}, stopping")
                stop = True
                break
            loss.backward()
            opt.step()
            correct += ((p > 0.5).float() == yb).sum().item()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.5f}")
            step += 1
        if stop:
            break
        print(f"epoch {epoch} train_acc {correct / len(x):.4f}")


if __name__ == "__main__":
    main()
