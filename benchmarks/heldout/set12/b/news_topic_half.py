import argparse
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

TOPICS = ["world", "sports", "business", "scitech"]


def build_corpus(n_docs=2000, vocab_size=4000, seed=0):
    rnd = random.Random(seed)
    # each topic has its own preferred slice of the vocabulary, plus shared function words
    topic_vocab = {t: list(range(200 + i * 900, 200 + (i + 1) * 900)) for i, t in enumerate(TOPICS)}
    docs, labels = [], []
    for _ in range(n_docs):
        y = rnd.randrange(len(TOPICS))
        length = rnd.randint(12, 40)
        toks = [rnd.choice(topic_vocab[TOPICS[y]]) if rnd.random() < 0.4 else rnd.randrange(0, 200)
                for _ in range(length)]
        docs.append(toks)
        labels.append(y)
    return docs, labels


def to_bag(docs):
    flat, offsets = [], [0]
    for d in docs:
        flat.extend(d)
        offsets.append(offsets[-1] + len(d))
    return torch.tensor(flat), torch.tensor(offsets[:-1])


class FastTextClassifier(nn.Module):
    def __init__(self, vocab_size, dim=64, n_classes=4):
        super().__init__()
        self.emb = nn.EmbeddingBag(vocab_size, dim, mode="mean")
        self.fc = nn.Linear(dim, n_classes)

    def forward(self, tokens, offsets):
        return self.fc(self.emb(tokens, offsets))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    docs, labels = build_corpus()
    n_train = 1600
    model = FastTextClassifier(vocab_size=4000).half()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        order = list(range(n_train))
        random.Random(epoch).shuffle(order)
        for i in range(0, n_train, args.batch_size):
            idx = order[i:i + args.batch_size]
            tokens, offsets = to_bag([docs[j] for j in idx])
            y = torch.tensor([labels[j] for j in idx])
            logits = model(tokens, offsets)
            loss = F.cross_entropy(logits.float(), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1

        with torch.no_grad():
            tokens, offsets = to_bag(docs[n_train:])
            y = torch.tensor(labels[n_train:])
            acc = (model(tokens, offsets).argmax(1) == y).float().mean().item()
        print(f"epoch {epoch} val acc {acc:.3f}")


if __name__ == "__main__":
    main()
