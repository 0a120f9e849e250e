import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

VOCAB = 64
PAD = 0
SEP = 1


class InstructionDataset(Dataset):
    """Synthetic prompt/response pairs, tokenized and truncated to max_len.

    Prompt tokens are excluded from the loss (label -100); the model learns
    to continue the response. Examples are stored sorted by length so that
    batches need little padding.
    """

    def __init__(self, n=64, max_len=32, seed=0):
        g = torch.Generator().manual_seed(seed)
        examples = []
        for i in range(n):
            plen = int(torch.randint(3, 20, (1,), generator=g))
            if i >= n - 4:
                plen = int(torch.randint(33, 40, (1,), generator=g))
            rlen = int(torch.randint(4, 10, (1,), generator=g))
            prompt = torch.randint(2, VOCAB, (plen,), generator=g)
            response = (prompt[:rlen] + 7) % (VOCAB - 2) + 2
            ids = torch.cat([prompt, torch.tensor([SEP]), response])
            labels = torch.cat([torch.full((plen + 1,), -100), response])
            examples.append((ids[:max_len], labels[:max_len]))
        examples.sort(key=lambda e: len(e[0]))
        self.examples = examples
        self.max_len = max_len

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, i):
        ids, labels = self.examples[i]
        pad = self.max_len - len(ids)
        ids = F.pad(ids, (0, pad), value=PAD)
        labels = F.pad(labels, (0, pad), value=-100)
        return ids, labels


class TinyLM(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d)
        self.rnn = nn.GRU(d, d, batch_first=True)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, ids):
        h, _ = self.rnn(self.emb(ids))
        return self.head(h)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--micro-batch", type=int, default=4)
    p.add_argument("--accum-steps", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    args = p.parse_args()

    torch.manual_seed(0)
    ds = InstructionDataset()
    loader = DataLoader(ds, batch_size=args.micro_batch, shuffle=False)
    model = TinyLM()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)

    opt_step = 0
    running = 0.0
    for epoch in range(args.epochs):
        for i, (ids, labels) in enumerate(loader):
            logits = model(ids[:, :-1])
            targets = labels[:, 1:]
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), ignore_index=-100)
            (loss / args.accum_steps).backward()
            running += loss.item() / args.accum_steps
            if (i + 1) % args.accum_steps == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                opt.zero_grad()
                print(f"epoch {epoch} opt_step {opt_step} loss {running:.4f}")
                running = 0.0
                opt_step += 1
    print("done")


if __name__ == "__main__":
    main()
