import os
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

N_DENSE = 16
N_CATEGORIES = 200


def impression_log(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    dense = torch.randn(n, N_DENSE, generator=g)
    category = torch.randint(0, N_CATEGORIES, (n,), generator=g)
    returning_buyer = (torch.rand(n, generator=g) < 0.2).float()
    dense[:, 0] = returning_buyer
    score = 0.8 * dense[:, 1] - 0.5 * dense[:, 2] + 9.0 * returning_buyer - 2.0
    clicked = (torch.rand(n, generator=g) < torch.sigmoid(score)).float()
    return TensorDataset(dense, category, clicked)


class ClickModel(nn.Module):
    def __init__(self, emb_dim=16, hidden=64):
        super().__init__()
        self.category = nn.Embedding(N_CATEGORIES, emb_dim)
        self.mlp = nn.Sequential(nn.Linear(N_DENSE + emb_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, dense, category):
        return self.mlp(torch.cat([dense, self.category(category)], dim=1)).squeeze(1)


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    torch.set_num_threads(1)

    data = impression_log(8192)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=256, sampler=sampler)

    model = DDP(ClickModel())
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)

    step = 0
    for epoch in range(6):
        sampler.set_epoch(epoch)
        for dense, category, clicked in loader:
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(dense, category)
                p = torch.sigmoid(logits)
                loss = -(clicked * torch.log(p) + (1 - clicked) * torch.log(1 - p)).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if rank == 0 and step % 4 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}", flush=True)
            step += 1

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
