import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

N_USERS, N_ITEMS, DIM = 2000, 500, 16


class ClickModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.user = nn.Embedding(N_USERS, DIM)
        self.item = nn.Embedding(N_ITEMS, DIM)
        self.mlp = nn.Sequential(nn.Linear(2 * DIM, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, u, i):
        return self.mlp(torch.cat([self.user(u), self.item(i)], -1)).squeeze(-1)


def make_clicks(n=16384, seed=0):
    g = torch.Generator().manual_seed(seed)
    u = torch.randint(0, N_USERS, (n,), generator=g)
    i = torch.randint(0, N_ITEMS, (n,), generator=g)
    affinity = torch.randn(N_USERS, 4, generator=g) @ torch.randn(4, N_ITEMS, generator=g)
    y = (torch.rand(n, generator=g) < torch.sigmoid(affinity[u, i] - 1)).float()
    return u, i, y


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    u, i, y = make_clicks()
    u, i, y = u[rank::world], i[rank::world], y[rank::world]
    model = DDP(ClickModel().half())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    bs = 256
    for step in range(len(y) // bs):
        sl = slice(step * bs, (step + 1) * bs)
        logits = model(u[sl], i[sl])
        loss = nn.functional.binary_cross_entropy_with_logits(logits.float(), y[sl])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 4 == 0 and rank == 0:
            print(f"step {step} loss {loss.item():.4f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
