import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

VOCAB = 500
TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
PAD = 0


class PartiallyAnnotatedCorpus(Dataset):

    def __init__(self, n_docs=12, sents_per_doc=16, max_len=20, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for d in range(n_docs):
            annotated = d % 4 != 2
            for _ in range(sents_per_doc):
                n = int(torch.randint(6, max_len + 1, (1,), generator=g))
                toks = torch.randint(1, VOCAB, (n,), generator=g)
                tags = (toks % len(TAGS)) * (toks % 3 == 0)
                if not annotated:
                    tags = torch.full_like(tags, -100)
                self.items.append((toks, tags))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    L = max(len(t) for t, _ in batch)
    toks = torch.full((len(batch), L), PAD, dtype=torch.long)
    tags = torch.full((len(batch), L), -100, dtype=torch.long)
    for i, (t, y) in enumerate(batch):
        toks[i, :len(t)] = t
        tags[i, :len(y)] = y
    return toks, tags


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab=VOCAB, emb=64, hidden=64, n_tags=len(TAGS)):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_tags)

    def forward(self, toks):
        h, _ = self.lstm(self.emb(toks))
        return self.out(h)


def train():
    torch.manual_seed(0)
    ds = PartiallyAnnotatedCorpus()
    loader = DataLoader(ds, batch_size=16, shuffle=False, collate_fn=collate)
    model = BiLSTMTagger()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    step = 0
    for epoch in range(2):
        for toks, tags in loader:
            logits = model(toks)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tags.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    train()
