import random
import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(4)
torch.manual_seed(4)

VOCAB = 400
N_PAIRS = 1024
BATCH = 64
DIM = 32


def build_corpus():
    queries, docs = [], []
    topics = [list(range(i * 20, i * 20 + 20)) for i in range(VOCAB // 20)]
    for i in range(N_PAIRS):
        topic = topics[i % len(topics)]
        doc = random.sample(topic, 8) + random.sample(range(VOCAB), 4)
        q = random.sample(doc[:8], random.randint(2, 5))
        docs.append(doc)
        queries.append(q)
    for i in (389, 390, 391, 392, 393):
        queries[i] = []
    return queries, docs


def pack(token_lists):
    flat = torch.tensor([t for toks in token_lists for t in toks], dtype=torch.long)
    lengths = torch.tensor([len(toks) for toks in token_lists])
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    return flat, offsets


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.bag = nn.EmbeddingBag(VOCAB, 64, mode="mean")
        self.proj = nn.Sequential(nn.Linear(64, 64, bias=False), nn.GELU(), nn.Linear(64, DIM, bias=False))

    def forward(self, flat, offsets):
        z = self.proj(self.bag(flat, offsets))
        return z / z.norm(dim=1, keepdim=True)


def info_nce(q, d, temperature=0.05):
    logits = q @ d.t() / temperature
    target = torch.arange(q.shape[0])
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))


queries, docs = build_corpus()
q_tower, d_tower = Tower(), Tower()
q_opt = torch.optim.Adam(q_tower.parameters(), lr=2e-3)
d_opt = torch.optim.Adam(d_tower.parameters(), lr=2e-3)

order = list(range(N_PAIRS))
step = 0
for epoch in range(3):
    random.shuffle(order)
    for start in range(0, N_PAIRS, BATCH):
        idx = order[start:start + BATCH]
        qf, qo = pack([queries[i] for i in idx])
        df, do = pack([docs[i] for i in idx])
        loss = info_nce(q_tower(qf, qo), d_tower(df, do))
        q_opt.zero_grad()
        d_opt.zero_grad()
        loss.backward()
        q_opt.step()
        d_opt.step()
        if step % 8 == 0:
            print(f"epoch {epoch} step {step:3d} loss {loss.item():.4f}")
        step += 1
