"""Intent classifier for a voice assistant: token ids -> one of 6 intents.
Mean-pooled embeddings + MLP, data-parallel training.
    torchrun --nproc-per-node 2 ddp_intent_classifier.py
"""
import argparse

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

VOCAB = 500
N_INTENTS = 6
MAX_LEN = 16
PAD = 0


class Utterances(Dataset):
    def __init__(self, n=3000, seed=9):
        g = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(N_INTENTS, (n,), generator=g)
        self.tokens = torch.zeros(n, MAX_LEN, dtype=torch.long)
        self.lengths = torch.randint(3, MAX_LEN + 1, (n,), generator=g)
        for i in range(n):
            L = int(self.lengths[i])
            toks = torch.randint(60, VOCAB, (L,), generator=g)
            # each intent has a small set of keywords (e.g. "timer", "weather")
            k = int(torch.randint(1, 3, (1,), generator=g))
            pos = torch.randperm(L, generator=g)[:k]
            toks[pos] = 1 + int(self.labels[i]) * 10 + torch.randint(10, (k,), generator=g)
            self.tokens[i, :L] = toks

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.tokens[idx], self.labels[idx]


class IntentNet(nn.Module):
    def __init__(self, dim=48):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, N_INTENTS))

    def forward(self, tokens):
        mask = (tokens != PAD).unsqueeze(-1).float()
        summed = (self.emb(tokens) * mask).sum(1)
        pooled = summed / mask.sum(1).clamp(min=1.0)
        return self.mlp(pooled)


def train(args, rank, world):
    torch.manual_seed(7)

    ds = Utterances()
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=7)
    loader = DataLoader(ds, batch_size=args.batch_size, sampler=sampler)
    model = DDP(IntentNet())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        correct = torch.zeros(2)
        for tokens, labels in loader:
            logits = model(tokens)
            loss = F.cross_entropy(logits, labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += torch.tensor([(logits.argmax(1) == labels).sum().item(), len(labels)], dtype=torch.float)
            if rank == 0 and step % 5 == 0:
                print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f}", flush=True)
            step += 1
        dist.all_reduce(correct)
        if rank == 0:
            print(f"epoch {epoch} train_acc {correct[0] / correct[1]:.3f}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args()

    dist.init_process_group("gloo")
    train(args, dist.get_rank(), dist.get_world_size())
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
