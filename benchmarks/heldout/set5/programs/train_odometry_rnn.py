import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default=100)
parser.add_argument("--hidden", type=int, default=32)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--lr", type=float, default=0.01)
args = parser.parse_args()

torch.manual_seed(0)


def make_batch(bs, T):
    speed = torch.rand(bs, T, 1)
    distance = speed.cumsum(dim=1) / 10
    return speed, distance


class Odometer(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True, nonlinearity="relu")
        self.readout = nn.Linear(hidden, 1)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        nn.init.zeros_(self.rnn.bias_ih_l0)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.readout(out)


model = Odometer(args.hidden)
opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

for step in range(args.steps):
    x, y = make_batch(args.batch_size, args.seq_len)
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step < 5 or step % 5 == 0:
        print(f"step {step:3d}  loss {loss.item():.5g}")
