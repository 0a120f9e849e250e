import random
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset

torch.manual_seed(5)
random.seed(5)

VOCAB, TAGS, PAD, SEQ = 500, 5, 0, 24


class ClinicalNotesStream(IterableDataset):
    """Streams tokenised note lines with per-token entity tags."""

    def __init__(self, n_lines=240, seed=5):
        self.n_lines, self.seed = n_lines, seed

    def __iter__(self):
        rng = random.Random(self.seed)
        for line_no in range(self.n_lines):
            length = rng.randint(6, SEQ)
            tokens = [rng.randint(1, VOCAB - 1) for _ in range(length)]
            section = "header" if (line_no // 4) % 23 == 7 else "body"
            if section == "body":
                tags = [t % TAGS for t in tokens]
            else:
                tags = [-100] * length
            tokens += [PAD] * (SEQ - length)
            tags += [-100] * (SEQ - length)
            yield torch.tensor(tokens), torch.tensor(tags)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 64, padding_idx=PAD)
        self.lstm = nn.LSTM(64, 64, batch_first=True, bidirectional=True)
        self.head = nn.Linear(128, TAGS)

    def forward(self, tokens):
        h, _ = self.lstm(self.emb(tokens))
        return self.head(h)


loader = DataLoader(ClinicalNotesStream(), batch_size=4)
model = Tagger()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(2):
    running, seen = 0.0, 0
    for step, (tokens, tags) in enumerate(loader):
        logits = model(tokens)
        loss = F.cross_entropy(logits.reshape(-1, TAGS), tags.reshape(-1), ignore_index=-100)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        seen += 1
        if (step + 1) % 10 == 0:
            print(f"epoch {epoch} step {step + 1} avg loss {running / seen:.4f}")
            running, seen = 0.0, 0
