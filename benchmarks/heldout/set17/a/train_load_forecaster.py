import argparse
import math
import torch
from torch import nn


def parse_args():
    p = argparse.ArgumentParser(description="Hourly electricity-load forecaster")
    p.add_argument("--seq-len", type=int, default=168)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--step-size", type=int, default=2)
    p.add_argument("--gamma", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def make_series(n_days=120, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n_days * 24, dtype=torch.float32)
    daily = torch.sin(2 * math.pi * t / 24)
    weekly = 0.5 * torch.sin(2 * math.pi * t / (24 * 7))
    load = 1.0 + 0.6 * daily + weekly + 0.1 * torch.randn(t.shape, generator=g)
    return load


def make_windows(series, seq_len):
    xs, ys = [], []
    for start in range(0, len(series) - seq_len - 1, 12):
        xs.append(series[start:start + seq_len])
        ys.append(series[start + seq_len])
    return torch.stack(xs).unsqueeze(-1), torch.stack(ys).unsqueeze(-1)


class LoadRNN(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, num_layers=1, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        # IRNN initialisation (Le et al., 2015)
        for name, p in self.rnn.named_parameters():
            if name.startswith("weight_hh"):
                nn.init.eye_(p)
            elif name.startswith("bias"):
                nn.init.zeros_(p)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    series = make_series(seed=args.seed)
    x, y = make_windows(series, args.seq_len)
    model = LoadRNN(args.hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.step_size, gamma=args.gamma)
    loss_fn = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), args.batch_size):
            idx = perm[i:i + args.batch_size]
            pred = model(x[idx])
            loss = loss_fn(pred, y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            if step % 10 == 0:
                print(f"epoch {epoch} step {step:4d}  mse {loss.item():.5f}  lr {scheduler.get_last_lr()[0]:.4f}")
            step += 1
        scheduler.step()
        print(f"epoch {epoch} mean mse {total / len(x):.5f}")


if __name__ == "__main__":
    main()
