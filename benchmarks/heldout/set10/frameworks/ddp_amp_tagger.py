import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

VOCAB = 300
N_TAGS = 9
SEQ = 24


class TaggedSentences(Dataset):
    def __init__(self, n=1024, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.tokens = torch.randint(1, VOCAB, (n, SEQ), generator=g)
        tag_of_word = torch.randint(0, N_TAGS, (VOCAB,), generator=g)
        self.tags = tag_of_word[self.tokens]
        lengths = torch.randint(8, SEQ + 1, (n,), generator=g)
        pad = torch.arange(SEQ)[None, :] >= lengths[:, None]
        self.tokens[pad] = 0
        self.tags[pad] = -100

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, i):
        return self.tokens[i], self.tags[i]


class Tagger(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, dim, kernel_size=3, padding=1)
        self.ff = nn.Sequential(nn.Linear(dim, 128), nn.ReLU(), nn.Linear(128, N_TAGS))

    def forward(self, tokens):
        h = self.emb(tokens)
        h = h + F.relu(self.conv(h.transpose(1, 2))).transpose(1, 2)
        return self.ff(h)


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)

    data = TaggedSentences()
    sampler = DistributedSampler(data, seed=0)
    loader = DataLoader(data, batch_size=32, sampler=sampler)

    model = DDP(Tagger())
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    scaler = torch.amp.GradScaler("cpu")

    step = 0
    for epoch in range(3):
        sampler.set_epoch(epoch)
        for tokens, tags in loader:
            with torch.autocast("cpu", dtype=torch.float16):
                logits = model(tokens)
                loss = F.cross_entropy(logits.reshape(-1, N_TAGS), tags.reshape(-1), ignore_index=-100, reduction="sum")
            opt.zero_grad()
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(opt)
            scaler.update()
            if rank == 0 and (step < 12 or step % 10 == 0):
                print(f"step {step:3d} loss {loss.item():9.3f} grad_norm {gnorm.item():10.4g} scale {scaler.get_scale():.0f}", flush=True)
            step += 1
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
