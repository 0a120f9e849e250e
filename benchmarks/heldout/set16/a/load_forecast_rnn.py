import argparse
import math
import torch
from torch import nn


def parse_args():
    parser = argparse.ArgumentParser(description="Hourly load forecasting with an IRNN")
    parser.add_argument("--seq-len", type=int, default=168)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--step-size", type=int, default=2)
    parser.add_argument("--gamma", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def make_series(n_hours, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n_hours, dtype=torch.float32)
    daily = torch.sin(2 * math.pi * t / 24)
    weekly = 0.5 * torch.sin(2 * math.pi * t / 168)
    trend = t / n_hours
    return 1.0 + 0.4 * daily + 0.3 * weekly + 0.5 * trend + 0.05 * torch.randn(n_hours, generator=g)


def make_windows(series, seq_len):
    xs, ys = [], []
    for start in range(0, len(series) - seq_len - 1, 12):
        xs.append(series[start:start + seq_len])
        ys.append(series[start + seq_len])
    return torch.stack(xs).unsqueeze(-1), torch.stack(ys)


class IRNN(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu", batch_first=True)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    series = make_series(24 * 7 * 20, args.seed)
    x, y = make_windows(series, args.seq_len)
    model = IRNN(args.hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.step_size, gamma=args.gamma)
    loss_fn = nn.MSELoss()
    step = 0
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = loss_fn(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 10 == 0:
                print(f"epoch {epoch} step {step} lr {scheduler.get_last_lr()[0]:.4g} loss {loss.item():.5f}")
            step += 1
        scheduler.step()


if __name__ == "__main__":
    main()
