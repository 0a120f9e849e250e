import random
import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(11)
random.seed(11)

VOCAB = 5000
PAD = 0


def make_reviews(n=1200):
    g = torch.Generator().manual_seed(11)
    reviews, ratings = [], []
    for i in range(n):
        rating = int(torch.randint(0, 2, (1,), generator=g))
        length = int(torch.randint(5, 60, (1,), generator=g))
        base = 1 + rating * 2500
        tokens = (base + torch.randint(0, 2499, (length,), generator=g)).tolist()
        reviews.append(tokens)
        ratings.append(rating)
    # reviews that were only emoji / markup end up with no tokens after cleaning
    for i in (517, 932):
        reviews[i] = []
    return reviews, ratings


class ReviewDataset(Dataset):
    def __init__(self, reviews, ratings):
        self.reviews = reviews
        self.ratings = ratings

    def __len__(self):
        return len(self.reviews)

    def __getitem__(self, idx):
        return self.reviews[idx], self.ratings[idx]


def pad_collate(batch):
    max_len = max(max(len(tokens) for tokens, _ in batch), 1)
    ids = torch.full((len(batch), max_len), PAD, dtype=torch.long)
    mask = torch.zeros(len(batch), max_len)
    for row, (tokens, _) in enumerate(batch):
        ids[row, :len(tokens)] = torch.tensor(tokens, dtype=torch.long)
        mask[row, :len(tokens)] = 1.0
    targets = torch.tensor([rating for _, rating in batch], dtype=torch.float)
    return ids, mask, targets


class MeanPoolClassifier(nn.Module):
    def __init__(self, vocab, dim=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.ff = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, 1))

    def forward(self, ids, mask):
        emb = self.embed(ids) * mask.unsqueeze(-1)
        pooled = emb.sum(dim=1) / mask.sum(dim=1, keepdim=True)
        return self.ff(pooled).squeeze(-1)


reviews, ratings = make_reviews()
loader = DataLoader(ReviewDataset(reviews, ratings), batch_size=32, shuffle=True,
                    collate_fn=pad_collate, generator=torch.Generator().manual_seed(5))
model = MeanPoolClassifier(VOCAB)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
criterion = nn.BCEWithLogitsLoss()

step = 0
for epoch in range(2):
    running = 0.0
    for ids, mask, targets in loader:
        logits = model(ids, mask)
        loss = criterion(logits, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        step += 1
        if step % 10 == 0:
            print(f"epoch {epoch} step {step}  loss {running / 10:.4f}")
            running = 0.0
