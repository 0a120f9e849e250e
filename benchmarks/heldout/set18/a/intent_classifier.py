import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def parse_args():
    ap = argparse.ArgumentParser(description="Train an intent classifier on hashed bag-of-words features")
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--intents", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--dtype", choices=["float32", "float16", "bfloat16"], default="float32")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args()


def synthetic_utterances(n, vocab, intents, seed):
    g = torch.Generator().manual_seed(seed)
    keywords = torch.randint(0, vocab, (intents, 6), generator=g)
    labels = torch.randint(0, intents, (n,), generator=g)
    x = torch.zeros(n, vocab)
    for i in range(n):
        filler = torch.randint(0, vocab, (8,), generator=g)
        kw = keywords[labels[i]][torch.randperm(6, generator=g)[:3]]
        x[i].index_add_(0, torch.cat([filler, kw]), torch.ones(11))
    x = torch.log1p(x)
    return x, labels


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    dtype = getattr(torch, args.dtype)

    x, y = synthetic_utterances(3000, args.vocab, args.intents, args.seed)
    loader = DataLoader(TensorDataset(x.to(dtype), y), batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(args.seed))

    model = nn.Sequential(
        nn.Linear(args.vocab, args.hidden), nn.GELU(), nn.Dropout(0.1),
        nn.Linear(args.hidden, args.intents),
    ).to(dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    total = args.epochs * len(loader)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total,
                                                    pct_start=args.warmup / total)
    criterion = nn.CrossEntropyLoss()

    step = 0
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in loader:
            logits = model(xb)
            loss = criterion(logits.float(), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step:3d} lr {scheduler.get_last_lr()[0]:.2e} loss {loss.item():.4f}")
            step += 1

        model.eval()
        with torch.no_grad():
            acc = (model(x[:500].to(dtype)).argmax(-1) == y[:500]).float().mean().item()
        print(f"epoch {epoch} train-acc {acc:.3f}")


if __name__ == "__main__":
    main()
