import argparse
import torch
import torch.nn as nn


def load_housing(n=2000, seed=0):
    g = torch.Generator().manual_seed(seed)
    area = torch.rand(n, generator=g) * 2 + 0.5          # thousands of sq ft
    rooms = torch.randint(1, 7, (n,), generator=g).float()
    age = torch.rand(n, generator=g) * 5                 # decades
    dist = torch.rand(n, generator=g) * 3                # km to centre / 10
    x = torch.stack([area, rooms, age, dist], dim=1)
    price = 1.2 * area + 0.3 * rooms - 0.2 * age - 0.5 * dist + 0.1 * torch.randn(n, generator=g)
    x = (x - x.mean(0)) / x.std(0)
    return x, price.unsqueeze(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.01)
    args = p.parse_args()

    torch.manual_seed(0)
    x, y = load_housing()
    n_train = 1600
    x_train, y_train = x[:n_train], y[:n_train]
    x_val, y_val = x[n_train:], y[n_train:]

    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(n_train)
        model.train()
        for start in range(0, n_train, args.batch_size):
            idx = perm[start:start + args.batch_size]
            xb, yb = x_train[idx], y_train[idx]
            pred = model(xb)
            loss = loss_fn(pred, yb)
            loss.backward()
            opt.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
        model.eval()
        with torch.no_grad():
            val = loss_fn(model(x_val), y_val).item()
        print(f"epoch {epoch} val_mse {val:.4f}")


if __name__ == "__main__":
    main()
