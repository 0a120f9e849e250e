import argparse
import torch
from torch import nn
import torch.nn.functional as F


VOCAB = 2000
PAD = 0


def make_reviews(n, seq_len, gen):
    # synthetic "reviews": positive reviews use more tokens from the upper half of the vocab
    labels = torch.randint(0, 2, (n,), generator=gen)
    lengths = torch.randint(8, seq_len + 1, (n,), generator=gen)
    tokens = torch.zeros(n, seq_len, dtype=torch.long)
    for i in range(n):
        lo, hi = (1, 1200) if labels[i] == 0 else (800, VOCAB)
        tokens[i, : lengths[i]] = torch.randint(lo, hi, (int(lengths[i]),), generator=gen)
    return tokens, labels


class BagOfWordsClassifier(nn.Module):
    def __init__(self, vocab, dim, n_classes):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.hidden = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, n_classes)

    def forward(self, tokens):
        mask = (tokens != PAD).unsqueeze(-1).to(self.embed.weight.dtype)
        emb = self.embed(tokens) * mask
        pooled = emb.sum(1) / mask.sum(1).clamp(min=1)
        return self.out(torch.relu(self.hidden(pooled)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    tokens, labels = make_reviews(1024, 40, gen)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(tokens, labels), batch_size=args.batch_size, shuffle=True
    )

    # half precision to save memory on the embedding table
    model = BagOfWordsClassifier(VOCAB, 64, 2).half()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        for x, y in loader:
            logits = model(x)
            loss = F.cross_entropy(logits.float(), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 10 == 0:
                acc = (logits.argmax(1) == y).float().mean().item()
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} acc {acc:.3f}")
            step += 1


if __name__ == "__main__":
    main()
