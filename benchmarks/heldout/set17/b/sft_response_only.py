import math
import random

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

VOCAB = 96
MAX_LEN = 32
PAD = 0
SEP = 1


class InstructionDataset(Dataset):
    def __init__(self, n=192, seed=3):
        rng = random.Random(seed)
        self.examples = []
        for _ in range(n):
            prompt_len = rng.choice([4, 6, 8, 10, 12, 14, 16, 33, 36])
            resp_len = rng.randint(4, 10)
            prompt = [rng.randrange(2, VOCAB) for _ in range(prompt_len)]
            response = [(t * 7 + 3) % (VOCAB - 2) + 2 for t in prompt[:resp_len]]
            self.examples.append((prompt, response))
        # bucket by prompt length so batches need less padding
        self.examples.sort(key=lambda ex: len(ex[0]))

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, idx):
        prompt, response = self.examples[idx]
        ids = (prompt + [SEP] + response)[:MAX_LEN]
        n_prompt = min(len(prompt) + 1, MAX_LEN)
        loss_mask = [0] * n_prompt + [1] * (len(ids) - n_prompt)
        return torch.tensor(ids), torch.tensor(loss_mask, dtype=torch.float32)


def collate(batch):
    ids = torch.full((len(batch), MAX_LEN), PAD, dtype=torch.long)
    mask = torch.zeros(len(batch), MAX_LEN)
    for i, (x, m) in enumerate(batch):
        ids[i, : len(x)] = x
        mask[i, : len(m)] = m
    return ids, mask


class TinyLM(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(MAX_LEN, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, ids):
        T = ids.size(1)
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        h = self.tok(ids) + self.pos(torch.arange(T))
        h = self.blocks(h, mask=causal)
        return self.head(self.ln(h))


def response_loss(logits, ids, mask):
    logits = logits[:, :-1]
    targets = ids[:, 1:]
    mask = mask[:, 1:]
    tok_loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), reduction="none")
    tok_loss = tok_loss.view_as(mask)
    return (tok_loss * mask).sum() / mask.sum()


def main():
    torch.manual_seed(0)
    ds = InstructionDataset()
    loader = DataLoader(ds, batch_size=8, shuffle=False, collate_fn=collate)
    model = TinyLM()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    total = 2 * len(loader)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / total)))

    step = 0
    for epoch in range(2):
        model.train()
        for ids, mask in loader:
            logits = model(ids)
            loss = response_loss(logits, ids, mask)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            if step % 4 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.2e}")
            step += 1


if __name__ == "__main__":
    main()
