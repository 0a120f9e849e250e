import os
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

N_MELS = 40
FRAMES = 64
N_TAGS = 10


class SyntheticClips(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, N_TAGS, (n,), generator=g)
        protos = torch.randn(N_TAGS, N_MELS, 1, generator=g) * 2
        noise = torch.randn(n, N_MELS, FRAMES, generator=g)
        self.spec = protos[self.labels] + noise

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.spec[i], self.labels[i]


class ConvTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(N_MELS, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.classifier = nn.Linear(64, N_TAGS)

    def forward(self, x):
        h = self.features(x).amax(dim=-1)
        return self.classifier(h)


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    world = dist.get_world_size()
    torch.manual_seed(1234)

    data = SyntheticClips(1024, seed=5)
    sampler = torch.utils.data.distributed.DistributedSampler(data, shuffle=True, seed=0)
    loader = torch.utils.data.DataLoader(data, batch_size=32, sampler=sampler, drop_last=True)

    model = DDP(ConvTagger())
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=32)
    scaler = torch.amp.GradScaler("cpu")
    criterion = nn.CrossEntropyLoss(reduction="sum")

    step = 0
    t0 = time.time()
    for epoch in range(2):
        sampler.set_epoch(epoch)
        model.train()
        for spec, tags in loader:
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(spec)
                loss = criterion(logits, tags)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            if rank == 0 and (step < 6 or step % 4 == 0):
                print(f"ep {epoch} step {step:3d} loss/clip {loss.item() / tags.numel():.4f} "
                      f"grad_norm {gnorm.item():.3g} scale {scaler.get_scale():.0f}")
            step += 1
    if rank == 0:
        print(f"done in {time.time() - t0:.1f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
