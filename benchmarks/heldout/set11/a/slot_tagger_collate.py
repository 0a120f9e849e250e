import math
import random
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

PAD = 0
N_TAGS = 5


class UtteranceSlots(Dataset):
    def __init__(self, n=768, vocab=200, seed=0):
        rng = random.Random(seed)
        self.items = []
        for _ in range(n):
            length = rng.randint(3, 20)
            toks = [rng.randrange(1, vocab) for _ in range(length)]
            tags = [t % N_TAGS for t in toks]
            self.items.append((toks, tags))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def pad_collate(batch):
    max_len = max(len(t) for t, _ in batch)
    tokens = torch.full((len(batch), max_len), PAD, dtype=torch.long)
    tags = torch.full((len(batch), max_len), -100, dtype=torch.long)
    for i, (t, g) in enumerate(batch):
        tokens[i, :len(t)] = torch.tensor(t)
        tags[i, :len(g)] = torch.tensor(g)
    return tokens, tags, tokens != PAD


class SelfAttentionTagger(nn.Module):
    def __init__(self, vocab=200, dim=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.ff = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, N_TAGS))
        self.dim = dim

    def forward(self, tokens, keep):
        h = self.emb(tokens)
        q, k, v = self.qkv(h).chunk(3, dim=-1)
        scores = q @ k.transpose(1, 2) / math.sqrt(self.dim)
        scores = scores.masked_fill(~keep[:, None, :], float("-inf"))
        attn = scores.softmax(dim=-1)
        return self.ff(h + attn @ v)


def main():
    torch.manual_seed(0)
    train = DataLoader(UtteranceSlots(), batch_size=32, shuffle=True, collate_fn=pad_collate,
                       generator=torch.Generator().manual_seed(0))
    val = DataLoader(UtteranceSlots(n=128, seed=1), batch_size=64, collate_fn=pad_collate)
    model = SelfAttentionTagger()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    step = 0
    for epoch in range(4):
        model.train()
        for tokens, tags, keep in train:
            logits = model(tokens, keep)
            loss = F.cross_entropy(logits.reshape(-1, N_TAGS), tags.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.5f}")
            step += 1
        model.eval()
        correct = total = 0
        with torch.no_grad():
            for tokens, tags, keep in val:
                pred = model(tokens, keep).argmax(-1)
                m = tags != -100
                correct += (pred[m] == tags[m]).sum().item()
                total += m.sum().item()
        print(f"epoch {epoch} val_acc {correct / total:.3f}")


if __name__ == "__main__":
    main()
