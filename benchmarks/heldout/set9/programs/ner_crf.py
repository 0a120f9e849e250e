import torch
from torch import nn

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
VOCAB = 500


def make_corpus(n_sentences=64, seed=2):
    gen = torch.Generator().manual_seed(seed)
    sentences = []
    for _ in range(n_sentences):
        length = int(torch.randint(6, 30, (1,), generator=gen))
        if torch.rand(1, generator=gen) < 0.05:
            length = int(torch.randint(80, 120, (1,), generator=gen))
        words = torch.randint(50, VOCAB, (length,), generator=gen)
        tags = torch.zeros(length, dtype=torch.long)
        for _ in range(max(1, length // 10)):
            start = int(torch.randint(0, length - 1, (1,), generator=gen))
            kind = int(torch.randint(0, 2, (1,), generator=gen))
            words[start] = 1 + 20 * kind + int(torch.randint(0, 10, (1,), generator=gen))
            tags[start] = 1 + 2 * kind
            words[start + 1] = 11 + 20 * kind + int(torch.randint(0, 10, (1,), generator=gen))
            tags[start + 1] = 2 + 2 * kind
        sentences.append((words, tags))
    return sentences


def log_sum_exp(scores):
    return torch.log(torch.exp(scores).sum(dim=0))


class BiLSTMCRF(nn.Module):
    def __init__(self, emb=32, hidden=32):
        super().__init__()
        n = len(TAGS)
        self.embed = nn.Embedding(VOCAB, emb)
        self.lstm = nn.LSTM(emb, hidden, bidirectional=True)
        self.emit = nn.Linear(2 * hidden, n)
        self.transitions = nn.Parameter(torch.randn(n, n))
        self.start = nn.Parameter(torch.randn(n))

    def emissions(self, words):
        out, _ = self.lstm(self.embed(words).unsqueeze(1))
        return self.emit(out.squeeze(1))

    def partition(self, feats):
        alpha = self.start + feats[0]
        for t in range(1, len(feats)):
            # alpha[i] + transitions[i, j] + emission[j]
            alpha = log_sum_exp(alpha.unsqueeze(1) + self.transitions) + feats[t]
        return log_sum_exp(alpha)

    def gold_score(self, feats, tags):
        score = self.start[tags[0]] + feats[0, tags[0]]
        for t in range(1, len(tags)):
            score = score + self.transitions[tags[t - 1], tags[t]] + feats[t, tags[t]]
        return score

    def neg_log_likelihood(self, words, tags):
        feats = self.emissions(words)
        return self.partition(feats) - self.gold_score(feats, tags)


def main():
    torch.manual_seed(0)
    corpus = make_corpus()
    model = BiLSTMCRF()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    accumulate = 8

    for epoch in range(2):
        order = torch.randperm(len(corpus)).tolist()
        total = 0.0
        optimizer.zero_grad()
        for i, idx in enumerate(order):
            words, tags = corpus[idx]
            loss = model.neg_log_likelihood(words, tags)
            (loss / accumulate).backward()
            total += loss.item()
            if (i + 1) % accumulate == 0:
                optimizer.step()
                optimizer.zero_grad()
        print(f"epoch {epoch}: avg sentence nll {total / len(corpus):.3f}")


if __name__ == "__main__":
    main()
