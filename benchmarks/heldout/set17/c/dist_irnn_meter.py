import os

import torch
import torch.distributed as dist
from torch import nn

SEQ_LEN = 100
HIDDEN = 64
STEPS = 60
LR = 3e-4


def meter_sequences(n, seed):
    g = torch.Generator().manual_seed(seed)
    flow = torch.randn(n, SEQ_LEN, generator=g)
    temp = torch.randn(n, SEQ_LEN, generator=g)
    valve = (torch.rand(n, SEQ_LEN, generator=g) < 0.5).float()
    x = torch.stack([flow, temp, valve], dim=-1)
    total = flow.sum(1, keepdim=True) / SEQ_LEN ** 0.5
    return x, total


class IRNNRegressor(nn.Module):
    def __init__(self, n_in=3, hidden=HIDDEN):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, batch_first=True, nonlinearity="relu")
        self.head = nn.Linear(hidden, 1)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def average_gradients(model, world):
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad /= world


def main():
    dist.init_process_group(backend="gloo")
    rank = dist.get_rank()
    world = dist.get_world_size()

    torch.manual_seed(0)
    model = IRNNRegressor()
    for p in model.parameters():
        dist.broadcast(p.data, src=0)

    x, y = meter_sequences(1024, seed=100 + rank)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    bs = 16

    for step in range(STEPS):
        i = (step * bs) % len(x)
        xb, yb = x[i:i + bs], y[i:i + bs]
        pred = model(xb)
        loss = nn.functional.mse_loss(pred, yb)
        opt.zero_grad()
        loss.backward()
        average_gradients(model, world)
        opt.step()

        report = loss.detach().clone()
        dist.all_reduce(report)
        if rank == 0 and step % 5 == 0:
            print(f"step {step:3d}  mse {report.item() / world:.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
