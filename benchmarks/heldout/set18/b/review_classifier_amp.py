import argparse
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ, CLASSES = 500, 40, 5


def build_reviews(n=2048, seed=3):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, CLASSES, (n,), generator=g)
    tokens = torch.randint(1, VOCAB, (n, SEQ), generator=g)
    cue = 10 + labels * 20
    pos = torch.randint(0, SEQ, (n, 6), generator=g)
    for k in range(6):
        tokens[torch.arange(n), pos[:, k]] = cue + k
    return tokens, labels


class BagClassifier(nn.Module):
    def __init__(self, dim=128):
        super().__init__()
        self.emb = nn.EmbeddingBag(VOCAB, dim, mode="sum")
        self.mlp = nn.Sequential(nn.Linear(dim, 256), nn.GELU(), nn.Linear(256, 256), nn.GELU(), nn.Linear(256, CLASSES))

    def forward(self, tokens):
        return self.mlp(self.emb(tokens))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--clip", type=float, default=1.0)
    args = ap.parse_args()

    torch.manual_seed(0)
    tokens, labels = build_reviews()
    train = TensorDataset(tokens[:1792], labels[:1792])
    val = TensorDataset(tokens[1792:], labels[1792:])
    train_loader = DataLoader(train, batch_size=64, shuffle=True)
    val_loader = DataLoader(val, batch_size=256)

    model = BagClassifier()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scaler = torch.amp.GradScaler("cpu")
    step = 0
    for epoch in range(args.epochs):
        model.train()
        for x, y in train_loader:
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                loss = F.cross_entropy(model(x), y, reduction="sum")
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            scaler.step(opt)
            scaler.update()
            if step < 8 or step % 20 == 0:
                print(f"step {step} loss {loss.item():.4f} grad_norm {gnorm.item():.3e} scale {scaler.get_scale():.0f}")
            step += 1
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in val_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        print(f"epoch {epoch} val_acc {correct / len(val):.3f}")


if __name__ == "__main__":
    main()
