import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(3)

VOCAB = 5000
EMB = 64
N_CLASSES = 3


def synth_reviews(n, g):
    lengths = torch.randint(8, 40, (n,), generator=g)
    docs, labels = [], []
    for L in lengths:
        toks = torch.randint(1, 1500, (int(L),), generator=g)
        docs.append(toks)
        labels.append(int(toks.float().mean() // 500))
    return docs, torch.tensor(labels)


class BagOfEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.EmbeddingBag(VOCAB, EMB, mode="mean")
        self.fc = nn.Sequential(nn.Linear(EMB, 64), nn.ReLU(), nn.Linear(64, N_CLASSES))

    def forward(self, flat, offsets):
        return self.fc(self.emb(flat, offsets))


def pack(docs):
    offsets = torch.tensor([0] + [len(d) for d in docs[:-1]]).cumsum(0)
    return torch.cat(docs), offsets


g = torch.Generator().manual_seed(11)
docs, labels = synth_reviews(2048, g)
model = BagOfEmbeddings().half()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)

bs = 64
for epoch in range(2):
    for i in range(0, len(docs), bs):
        flat, offsets = pack(docs[i:i + bs])
        y = labels[i:i + bs]
        logits = model(flat, offsets)
        loss = F.cross_entropy(logits.float(), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step = epoch * (len(docs) // bs) + i // bs
        if step % 8 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
