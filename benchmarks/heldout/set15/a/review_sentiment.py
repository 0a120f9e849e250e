import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_reviews(num_reviews, vocab_size, seq_len, seed):
    g = torch.Generator().manual_seed(seed)
    positive_words = torch.arange(10, 60)
    negative_words = torch.arange(60, 110)
    tokens = torch.randint(110, vocab_size, (num_reviews, seq_len), generator=g)
    labels = torch.randint(0, 2, (num_reviews,), generator=g)
    for i in range(num_reviews):
        pool = positive_words if labels[i] == 1 else negative_words
        k = int(torch.randint(2, 6, (1,), generator=g))
        pos = torch.randperm(seq_len, generator=g)[:k]
        tokens[i, pos] = pool[torch.randint(0, len(pool), (k,), generator=g)]
    return tokens, labels


class BagOfWords(nn.Module):
    def __init__(self, vocab_size, dim, num_classes):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, dim, mode="mean")
        self.fc = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, num_classes))

    def forward(self, tokens):
        return self.fc(self.embed(tokens))


def parse_args():
    p = argparse.ArgumentParser(description="Train a review sentiment classifier")
    p.add_argument("--vocab-size", type=int, default=5000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--precision", choices=["float", "half"], default="float")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    dtype = torch.float16 if args.precision == "half" else torch.float32

    tokens, labels = make_reviews(3000, args.vocab_size, 40, args.seed)
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=args.batch_size, shuffle=True)

    model = BagOfWords(args.vocab_size, args.dim, 2).to(dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()

    step = 0
    for epoch in range(args.epochs):
        correct = total = 0
        for x, y in loader:
            logits = model(x)
            loss = criterion(logits.float(), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            correct += (logits.argmax(1) == y).sum().item()
            total += y.numel()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
        print(f"epoch {epoch} train acc {correct / total:.3f}")


if __name__ == "__main__":
    main()
