import argparse

import torch
import torch.nn as nn


def make_batch(batch_size, seq_len, gen):
    values = torch.rand(batch_size, seq_len, generator=gen)
    markers = torch.zeros(batch_size, seq_len)
    first = torch.randint(0, seq_len // 2, (batch_size,), generator=gen)
    second = torch.randint(seq_len // 2, seq_len, (batch_size,), generator=gen)
    rows = torch.arange(batch_size)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    target = values[rows, first] + values[rows, second]
    return torch.stack([values, markers], dim=-1), target


class IRNN(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.rnn = nn.RNN(2, hidden_size, nonlinearity="relu", batch_first=True)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.normal_(self.rnn.weight_ih_l0, std=0.001)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        nn.init.zeros_(self.rnn.bias_ih_l0)
        self.readout = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.readout(out[:, -1]).squeeze(-1)


def parse_args():
    parser = argparse.ArgumentParser(description="IRNN on the adding problem")
    parser.add_argument("--seq-len", type=int, default=200)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--clip", type=float, default=0.0, help="max grad norm, 0 disables")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = IRNN(args.hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    criterion = nn.MSELoss()

    for step in range(args.steps):
        x, y = make_batch(args.batch_size, args.seq_len, gen)
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        if step % 25 == 0:
            print(f"step {step:4d}  mse {loss.item():.5f}")


if __name__ == "__main__":
    main()
