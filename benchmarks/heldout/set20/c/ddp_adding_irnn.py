import argparse
import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP


def adding_problem_batch(batch_size, seq_len, generator):
    values = torch.rand(batch_size, seq_len, generator=generator)
    markers = torch.zeros(batch_size, seq_len)
    first = torch.randint(0, seq_len // 2, (batch_size,), generator=generator)
    second = torch.randint(seq_len // 2, seq_len, (batch_size,), generator=generator)
    rows = torch.arange(batch_size)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    target = values[rows, first] + values[rows, second]
    return torch.stack([values, markers], dim=-1), target


class IRNN(nn.Module):
    def __init__(self, hidden_size=96):
        super().__init__()
        self.rnn = nn.RNN(2, hidden_size, nonlinearity="relu", batch_first=True)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        nn.init.normal_(self.rnn.weight_ih_l0, std=0.001)
        nn.init.zeros_(self.rnn.bias_ih_l0)
        self.readout = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.readout(out[:, -1]).squeeze(-1)


def run(rank, world_size, args):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.manual_seed(0)
    model = DDP(IRNN())
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.MSELoss()
    gen = torch.Generator().manual_seed(100 + rank)

    for step in range(args.steps):
        x, y = adding_problem_batch(args.batch_size, args.seq_len, gen)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if rank == 0 and step % 10 == 0:
            print(f"step {step:4d}  mse {loss.item():.5f}", flush=True)

    dist.destroy_process_group()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--seq_len", type=int, default=250)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.02)
    args = parser.parse_args()
    if "RANK" in os.environ:
        run(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), args)
    else:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29523")
        mp.spawn(run, args=(2, args), nprocs=2)
