import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args():
    parser = argparse.ArgumentParser(description="Train a bag-of-tags next-item recommender")
    parser.add_argument("--num-items", type=int, default=2000)
    parser.add_argument("--num-users", type=int, default=1500)
    parser.add_argument("--history-len", type=int, default=10)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--eps", type=float, default=1e-10)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def make_interactions(num_users, num_items, history_len, seed):
    g = torch.Generator().manual_seed(seed)
    weights = 1.0 / torch.arange(1, num_items + 1, dtype=torch.float32) ** 1.1
    history = torch.multinomial(weights.expand(num_users, -1), history_len, replacement=True, generator=g)
    nxt = torch.multinomial(weights.expand(num_users, -1), 1, replacement=True, generator=g).squeeze(1)
    return history, nxt


class BagOfItems(nn.Module):
    def __init__(self, num_items, dim):
        super().__init__()
        self.item_emb = nn.Embedding(num_items, dim)
        self.proj = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, num_items)

    def forward(self, history):
        user_vec = self.item_emb(history).mean(dim=1)
        return self.out(torch.tanh(self.proj(user_vec)))


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    history, nxt = make_interactions(args.num_users, args.num_items, args.history_len, args.seed)
    n_train = int(0.9 * len(history))

    model = BagOfItems(args.num_items, args.dim)
    optimizer = torch.optim.Adagrad(model.parameters(), lr=args.lr, eps=args.eps)

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(n_train)
        model.train()
        for i in range(0, n_train, args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = model(history[idx])
            loss = F.cross_entropy(logits, nxt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f}")
            step += 1

        model.eval()
        with torch.no_grad():
            logits = model(history[n_train:])
            hit10 = (logits.topk(10, dim=1).indices == nxt[n_train:, None]).any(1).float().mean().item()
        print(f"epoch {epoch} val hit@10 {hit10:.3f}")


if __name__ == "__main__":
    main()
