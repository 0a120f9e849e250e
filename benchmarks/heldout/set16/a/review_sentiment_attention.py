import math
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(4)

VOCAB, MAX_LEN, PAD = 2000, 48, 0


def synth_reviews(n, g):
    lengths = torch.randint(3, MAX_LEN + 1, (n,), generator=g)
    tokens = torch.randint(1, VOCAB, (n, MAX_LEN), generator=g)
    labels = torch.randint(0, 2, (n,), generator=g)
    pos_words = torch.arange(1, 50)
    neg_words = torch.arange(50, 100)
    for i in range(n):
        k = int(lengths[i])
        bank = pos_words if labels[i] == 1 else neg_words
        marks = torch.randint(0, k, (2,), generator=g)
        tokens[i, marks] = bank[torch.randint(0, len(bank), (2,), generator=g)]
        tokens[i, k:] = PAD
    return tokens, labels


g = torch.Generator().manual_seed(0)
train_tokens, train_labels = synth_reviews(3000, g)
val_tokens, val_labels = synth_reviews(600, g)
train_loader = DataLoader(TensorDataset(train_tokens, train_labels), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(val_tokens, val_labels), batch_size=200)


class AttentionPoolClassifier(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.query = nn.Parameter(torch.randn(dim) / math.sqrt(dim))
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, 2)

    def forward(self, tokens):
        h = self.emb(tokens)
        scores = self.key(h) @ self.query / math.sqrt(h.shape[-1])
        scores = scores.masked_fill(tokens == PAD, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        pooled = (weights.unsqueeze(-1) * self.value(h)).sum(1)
        return self.out(pooled)


model = AttentionPoolClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
max_grad_norm = 1.0


def evaluate():
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for tokens, labels in val_loader:
            logits = model(tokens)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(-1) == labels).sum().item()
            count += len(labels)
    model.train()
    return total_loss / count, correct / count


step = 0
for epoch in range(4):
    for tokens, labels in train_loader:
        logits = model(tokens)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        if step % 20 == 0:
            print(f"step {step} loss {loss.item():.4f} grad_norm {grad_norm.item():.3f}")
        step += 1
    val_loss, val_acc = evaluate()
    print(f"epoch {epoch} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")
