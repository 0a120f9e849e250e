import math
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

N_TAGS = 5          # O, B-PER, I-PER, B-ORG, I-ORG
VOCAB = 500
IGNORE = -100


class ShardedCorpus(IterableDataset):
    """Streams sentences shard by shard. Some shards come from the annotated set, others
    were only pre-tokenised and carry no tag annotation yet."""

    def __init__(self, n_shards=8, per_shard=64, max_len=24, seed=7):
        self.n_shards = n_shards
        self.per_shard = per_shard
        self.max_len = max_len
        self.seed = seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        for shard in range(self.n_shards):
            annotated = shard % 4 != 3
            for _ in range(self.per_shard):
                length = int(torch.randint(6, self.max_len + 1, (1,), generator=g))
                tokens = torch.randint(1, VOCAB, (length,), generator=g)
                tags = (tokens % 7).clamp(max=N_TAGS - 1)
                if not annotated:
                    tags = torch.full_like(tags, IGNORE)
                yield tokens, tags


def pad_batch(samples):
    max_len = max(len(t) for t, _ in samples)
    tokens = torch.zeros(len(samples), max_len, dtype=torch.long)
    tags = torch.full((len(samples), max_len), IGNORE, dtype=torch.long)
    for i, (t, y) in enumerate(samples):
        tokens[i, : len(t)] = t
        tags[i, : len(y)] = y
    return tokens, tags


class BiLSTMTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 48, padding_idx=0)
        self.lstm = nn.LSTM(48, 48, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(96, N_TAGS)

    def forward(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        return self.proj(h)


def token_loss(logits, tags):
    mask = (tags != IGNORE).float()
    per_token = nn.functional.cross_entropy(
        logits.reshape(-1, N_TAGS), tags.reshape(-1).clamp(min=0), reduction="none"
    ).view_as(mask)
    return (per_token * mask).sum() / mask.sum()


def main():
    torch.manual_seed(7)
    model = BiLSTMTagger()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
    loader = DataLoader(ShardedCorpus(), batch_size=32, collate_fn=pad_batch)

    for epoch in range(2):
        for step, (tokens, tags) in enumerate(loader):
            logits = model(tokens)
            loss = token_loss(logits, tags)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            if step % 4 == 0:
                print(f"epoch {epoch} batch {step} loss {loss.item():.4f}")


main()
