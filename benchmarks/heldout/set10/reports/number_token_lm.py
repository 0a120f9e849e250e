import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

WORDS = ["the", "total", "is", "of", "and", "we", "add", "then", "answer", "apples", "boxes", "each", "has", "so",
         "there", "are", "left", "after", "giving", "away", "tom", "anna", "buys", "sells", "cat", "sat", "on", "mat",
         "a", "quiet", "evening", "river", "flows", "north"]
DIGITS = [str(d) for d in range(10)]
SPECIAL = ["<pad>", "<bos>", "<eos>"]
VOCAB = SPECIAL + DIGITS + WORDS
stoi = {t: i for i, t in enumerate(VOCAB)}
DIGIT_IDS = torch.tensor([stoi[d] for d in DIGITS])
PAD = stoi["<pad>"]


def number_tokens(n):
    return list(str(n))


def math_sentence(rng):
    a, b = rng.randint(2, 60), rng.randint(2, 40)
    return (["tom", "has"] + number_tokens(a) + ["apples", "and", "anna", "has"] + number_tokens(b)
            + ["apples", "so", "the", "total", "is"] + number_tokens(a + b))


def plain_sentence(rng):
    return rng.sample(WORDS, rng.randint(5, 10))


class MixedTextDataset(Dataset):
    def __init__(self, n=512, seq_len=24, seed=0):
        rng = random.Random(seed)
        self.samples = []
        for i in range(n):
            block = i // 16
            toks = plain_sentence(rng) if block == 15 else (math_sentence(rng) if rng.random() < 0.6 else plain_sentence(rng))
            ids = [stoi["<bos>"]] + [stoi[t] for t in toks] + [stoi["<eos>"]]
            ids = ids[:seq_len] + [PAD] * (seq_len - len(ids))
            self.samples.append(torch.tensor(ids))

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return self.samples[i]


class TinyLM(nn.Module):
    def __init__(self, vocab, dim=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.rnn = nn.GRU(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, vocab)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.out(h)


class NumberTokenLoss(nn.Module):
    def __init__(self, digit_ids):
        super().__init__()
        self.register_buffer("digit_ids", digit_ids)
        self.register_buffer("digit_values", torch.arange(len(digit_ids), dtype=torch.float))

    def forward(self, logits, labels):
        is_num = torch.isin(labels, self.digit_ids)
        num_logits = logits[is_num][:, self.digit_ids]
        probs = F.softmax(num_logits, dim=-1)
        pred_value = probs @ self.digit_values
        true_value = (labels[is_num].unsqueeze(-1) == self.digit_ids).float().argmax(-1).float()
        return torch.mean((pred_value - true_value) ** 2)


def main():
    torch.manual_seed(0)
    ds = MixedTextDataset()
    loader = DataLoader(ds, batch_size=16, shuffle=False)
    model = TinyLM(len(VOCAB))
    ntl = NumberTokenLoss(DIGIT_IDS)
    ntl_weight = 0.3
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)

    step = 0
    for epoch in range(2):
        for batch in loader:
            inputs, labels = batch[:, :-1], batch[:, 1:]
            logits = model(inputs)
            ce = F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=PAD)
            loss_ntl = ntl(logits, labels)
            loss = ce + ntl_weight * loss_ntl
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} ce {ce.item():.4f} ntl {loss_ntl.item():.4f} loss {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    main()
