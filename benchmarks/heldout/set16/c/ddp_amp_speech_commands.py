import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP


class KeywordNet(nn.Module):
    def __init__(self, n_mels=40, n_classes=10):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(n_mels, 64, 3, padding=1), nn.ReLU(),
            nn.Conv1d(64, 64, 3, padding=1), nn.ReLU(),
        )
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.fc(self.conv(x).mean(-1))


def synthetic_mels(n, n_mels=40, frames=50, n_classes=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, n_classes, (n,), generator=g)
    proto = torch.randn(n_classes, n_mels, 1, generator=g)
    x = proto[y] + 0.5 * torch.randn(n, n_mels, frames, generator=g)
    return x, y


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    x, y = synthetic_mels(1024)
    x, y = x[rank::world], y[rank::world]
    model = DDP(KeywordNet())
    opt = torch.optim.SGD(model.parameters(), lr=0.0015, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")
    bs = 32
    for epoch in range(2):
        for step in range(len(y) // bs):
            xb, yb = x[step * bs:(step + 1) * bs], y[step * bs:(step + 1) * bs]
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.float16):
                loss = F.cross_entropy(model(xb), yb, reduction="sum")
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 50.0)
            scaler.step(opt)
            scaler.update()
            if rank == 0 and (step % 8 == 0 or step < 6):
                print(f"epoch {epoch} step {step} loss {loss.item() / bs:.4f} grad_norm {gnorm.item():.3g} scale {scaler.get_scale():.0f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
