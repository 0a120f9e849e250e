import os

import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset, DistributedSampler

PAD = 0
VOCAB = 120
N_TAGS = 4
MAX_LEN = 20


class Utterances(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.tokens = torch.full((n, MAX_LEN), PAD, dtype=torch.long)
        self.tags = torch.full((n, MAX_LEN), -100, dtype=torch.long)
        lengths = torch.randint(3, MAX_LEN + 1, (n,), generator=g)
        for i, L in enumerate(lengths.tolist()):
            toks = torch.randint(1, VOCAB, (L,), generator=g)
            self.tokens[i, :L] = toks
            self.tags[i, :L] = toks % N_TAGS

    def __len__(self):
        return len(self.tokens)

    def __getitem__(self, i):
        return self.tokens[i], self.tags[i]


class SlotTagger(nn.Module):
    def __init__(self, dim=32, heads=4):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(MAX_LEN, dim))
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ff = nn.Sequential(nn.Linear(dim, 64), nn.GELU(), nn.Linear(64, dim))
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.tag_head = nn.Linear(dim, N_TAGS)

    def forward(self, tokens):
        pad = tokens == PAD
        h = self.embed(tokens) + self.pos[: tokens.size(1)]
        a, _ = self.attn(h, h, h, key_padding_mask=pad, need_weights=False)
        h = self.norm1(h + a)
        h = self.norm2(h + self.ff(h))
        return self.tag_head(h)


def sentence_scores(logits, tokens):
    logp = F.log_softmax(logits, dim=-1)
    best = logp.max(dim=-1).values.masked_fill(tokens == PAD, float("-inf"))
    return torch.logsumexp(best, dim=-1)


def main():
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(17)
    data = Utterances(2050, seed=17)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=17)
    loader = DataLoader(data, batch_size=32, sampler=sampler)

    model = DDP(SlotTagger())
    opt = torch.optim.AdamW(model.parameters(), lr=5e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=5e-3, total_steps=66)

    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for tokens, tags in loader:
            logits = model(tokens)
            loss = F.cross_entropy(logits.reshape(-1, N_TAGS), tags.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            if rank == 0 and step % 8 == 0:
                conf = sentence_scores(logits.detach(), tokens)
                print(f"epoch {epoch} step {step:3d} loss {loss.item():.6f} gnorm {gnorm:.3f} "
                      f"min-sentence-score {conf.min().item():.4f}", flush=True)
            step += 1
    if rank == 0:
        print(f"done after {step} steps")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
