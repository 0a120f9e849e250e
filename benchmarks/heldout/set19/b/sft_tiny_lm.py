import math
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB = 64
MAX_LEN = 24
PAD = 0

torch.manual_seed(1234)


def build_pairs(n):
    g = torch.Generator().manual_seed(7)
    pairs = []
    for _ in range(n):
        plen = int(torch.randint(4, 16, (1,), generator=g))
        if torch.rand(1, generator=g).item() < 0.08:
            plen += 12
        rlen = int(torch.randint(3, 10, (1,), generator=g))
        prompt = torch.randint(3, VOCAB, (plen,), generator=g).tolist()
        response = [(t * 7 + 3) % (VOCAB - 3) + 3 for t in prompt[:rlen]]
        pairs.append((prompt, response))
    return pairs


def tokenize(prompt, response):
    ids = [1] + prompt + [2] + response + [2]
    loss_mask = [0] * (len(prompt) + 2) + [1] * (len(response) + 1)
    ids, loss_mask = ids[:MAX_LEN], loss_mask[:MAX_LEN]
    pad = MAX_LEN - len(ids)
    return ids + [PAD] * pad, loss_mask + [0] * pad


class TinyDecoder(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(MAX_LEN, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, ids):
        T = ids.size(1)
        h = self.tok(ids) + self.pos(torch.arange(T))
        causal = nn.Transformer.generate_square_subsequent_mask(T)
        h = self.blocks(h, mask=causal, is_causal=True)
        return self.head(self.norm(h))


def sft_loss(logits, ids, loss_mask):
    logits = logits[:, :-1]
    targets = ids[:, 1:]
    mask = loss_mask[:, 1:].float()
    tok_loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), reduction="none")
    tok_loss = tok_loss.view_as(mask)
    return (tok_loss * mask).sum() / mask.sum()


pairs = build_pairs(96)
encoded = [tokenize(p, r) for p, r in pairs]
all_ids = torch.tensor([e[0] for e in encoded])
all_mask = torch.tensor([e[1] for e in encoded])

model = TinyDecoder()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
micro_bs = 1
accum_steps = 4
total_steps = len(all_ids) // (micro_bs * accum_steps)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 5) * 0.5 * (1 + math.cos(math.pi * s / total_steps)))

model.train()
optimizer.zero_grad()
running = 0.0
for micro_step in range(len(all_ids) // micro_bs):
    ids = all_ids[micro_step * micro_bs:(micro_step + 1) * micro_bs]
    lm = all_mask[micro_step * micro_bs:(micro_step + 1) * micro_bs]
    logits = model(ids)
    loss = sft_loss(logits, ids, lm) / accum_steps
    loss.backward()
    running += loss.item()
    if (micro_step + 1) % accum_steps == 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        step = (micro_step + 1) // accum_steps
        print(f"step {step:3d} | loss {running:.4f} | lr {scheduler.get_last_lr()[0]:.2e}")
        running = 0.0
