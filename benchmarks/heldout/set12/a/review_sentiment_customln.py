import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)

VOCAB = 500
PAD = 0


class LayerNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta):
        mu = x.mean(dim=-1, keepdim=True)
        var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)
        std = torch.sqrt(var)
        xhat = (x - mu) / std
        ctx.save_for_backward(xhat, std, gamma)
        return xhat * gamma + beta

    @staticmethod
    def backward(ctx, grad_out):
        xhat, std, gamma = ctx.saved_tensors
        n = xhat.shape[-1]
        g = grad_out * gamma
        grad_x = (g - g.mean(-1, keepdim=True) - xhat * (g * xhat).mean(-1, keepdim=True)) / std
        reduce_dims = tuple(range(grad_out.dim() - 1))
        grad_gamma = (grad_out * xhat).sum(reduce_dims)
        grad_beta = grad_out.sum(reduce_dims)
        return grad_x, grad_gamma, grad_beta


class FastLayerNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        return LayerNormFunction.apply(x, self.gamma, self.beta)


class ReviewClassifier(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, dim, padding_idx=PAD)
        self.norm = FastLayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, dim), nn.GELU())
        self.out = nn.Linear(dim, 2)

    def forward(self, tokens):
        mask = (tokens != PAD).unsqueeze(-1).float()
        h = self.ff(self.norm(self.embed(tokens)))
        pooled = (h * mask).sum(1) / mask.sum(1)
        return self.out(pooled)


def make_reviews(n=1200):
    positive_words = torch.arange(1, 40)
    negative_words = torch.arange(40, 80)
    reviews, labels = [], []
    for _ in range(n):
        label = torch.randint(0, 2, ()).item()
        length = torch.randint(6, 16, ()).item()
        words = torch.randint(80, VOCAB, (length,))
        k = max(1, length // 4)
        pool = positive_words if label == 1 else negative_words
        words[torch.randperm(length)[:k]] = pool[torch.randint(0, len(pool), (k,))]
        reviews.append(words)
        labels.append(label)
    return reviews, torch.tensor(labels)


def length_bucketed_batches(reviews, batch_size):
    order = sorted(range(len(reviews)), key=lambda i: len(reviews[i]))
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    perm = torch.randperm(len(batches)).tolist()
    return [batches[p] for p in perm]


def collate(reviews, idx):
    seqs = [reviews[i] for i in idx]
    return nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=PAD)


reviews, labels = make_reviews()
model = ReviewClassifier()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)

step = 0
for epoch in range(4):
    correct = 0
    for idx in length_bucketed_batches(reviews, 32):
        tokens = collate(reviews, idx)
        logits = model(tokens)
        loss = F.cross_entropy(logits, labels[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        correct += (logits.argmax(-1) == labels[idx]).sum().item()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
        step += 1
    print(f"epoch {epoch} accuracy {correct / len(reviews):.3f}")
