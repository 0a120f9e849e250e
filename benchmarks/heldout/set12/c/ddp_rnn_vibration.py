import os
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

SEQ_LEN = 200
N_SENSORS = 3


def vibration_windows(n, seed):
    g = torch.Generator().manual_seed(seed)
    t = torch.linspace(0, 6.0, SEQ_LEN)
    freq = 1.0 + 4.0 * torch.rand(n, 1, generator=g)
    amp = 0.5 + torch.rand(n, 1, generator=g)
    x = torch.stack([amp * torch.sin(freq * t + k) for k in range(N_SENSORS)], dim=-1)
    x = x + 0.05 * torch.randn(n, SEQ_LEN, N_SENSORS, generator=g)
    y = amp.squeeze(1) * freq.squeeze(1)
    return x, y


class WearEstimator(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.rnn = nn.RNN(N_SENSORS, hidden, num_layers=1, nonlinearity="relu", batch_first=True)
        self.out = nn.Linear(hidden, 1)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1]).squeeze(1)


def main():
    dist.init_process_group("gloo")
    rank = int(os.environ["RANK"])
    world = int(os.environ["WORLD_SIZE"])
    torch.manual_seed(0)
    torch.set_num_threads(1)

    x, y = vibration_windows(1024, seed=rank + 100)
    model = DDP(WearEstimator())
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    loss_fn = nn.MSELoss()

    batch = 32
    for step in range(40):
        i = (step * batch) % len(x)
        xb, yb = x[i:i + batch], y[i:i + batch]
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if rank == 0:
            print(f"step {step} loss {loss.item():.4f}", flush=True)

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
