import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(5)

VOCAB, SEQ, N_PAIRS = 1000, 12, 4096
topics = torch.randn(64, 32)
topic_of = torch.randint(0, 64, (N_PAIRS,))
proj = torch.randn(32, VOCAB)


def sample_sentences(topic_ids):
    logits = topics[topic_ids] @ proj * 0.25
    return torch.multinomial(F.softmax(logits, dim=-1), SEQ, replacement=True)


queries = sample_sentences(topic_of)
passages = sample_sentences(topic_of)


class BagEncoder(nn.Module):
    def __init__(self, dim=128):
        super().__init__()
        self.emb = nn.EmbeddingBag(VOCAB, dim, mode="mean")
        self.proj = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, 64))

    def forward(self, tokens):
        return F.normalize(self.proj(self.emb(tokens)), dim=-1)


def contrastive_loss(q, p, temperature):
    sim = q @ p.T / temperature
    exp_sim = torch.exp(sim)
    pos = exp_sim.diag()
    return -torch.log(pos / exp_sim.sum(dim=1)).mean()


encoder = BagEncoder()
optimizer = torch.optim.AdamW(encoder.parameters(), lr=2e-3, weight_decay=0.01)
temperature = 0.01
batch_size = 128

step = 0
for epoch in range(6):
    perm = torch.randperm(N_PAIRS)
    for i in range(0, N_PAIRS, batch_size):
        idx = perm[i:i + batch_size]
        q = encoder(queries[idx])
        p = encoder(passages[idx])
        loss = contrastive_loss(q, p, temperature)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 20 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
        step += 1
