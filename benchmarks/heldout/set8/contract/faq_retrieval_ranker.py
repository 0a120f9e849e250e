"""Two-tower FAQ retrieval ranker.

Each example is a user question with its matching FAQ answer and four answers
mined from other questions; the towers are trained with a listwise
cross-entropy over the five candidates (matching answer first).
"""
import torch
from torch import nn

N_CAND = 5


class FAQPairs(torch.utils.data.Dataset):
    def __init__(self, n_questions=400, n_answers=120, dim=48, seed=9):
        g = torch.Generator().manual_seed(seed)
        topics = torch.randn(n_answers, dim, generator=g)
        self.answers = topics + 0.3 * torch.randn(n_answers, dim, generator=g)
        self.answer_of = torch.randint(0, n_answers, (n_questions,), generator=g)
        self.questions = topics[self.answer_of] + 0.25 * torch.randn(n_questions, dim, generator=g)
        neg = torch.randint(0, n_answers - 1, (n_questions, N_CAND - 1), generator=g)
        neg = neg + (neg >= self.answer_of[:, None]).long()
        self.cands = torch.cat([self.answer_of[:, None], neg], dim=1)
        self.labels = torch.zeros(n_questions, N_CAND)
        self.labels[:, 0] = 1.0

    def __len__(self):
        return len(self.questions)

    def __getitem__(self, i):
        return self.questions[i], self.answers[self.cands[i]], self.labels[i]


class TwoTower(nn.Module):
    def __init__(self, dim=48, hidden=64):
        super().__init__()
        self.q = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden))
        self.d = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden))

    def forward(self, q, docs):
        return torch.einsum("bh,bch->bc", self.q(q), self.d(docs))


def build_model():
    return TwoTower()


def build_dataset():
    return FAQPairs()


def compute_loss(model, batch):
    q, docs, labels = batch
    scores = model(q, docs)
    probs = torch.softmax(scores, dim=-1)
    return -(labels * torch.log(probs)).sum(-1).mean()


NANWIZ = {"lr": 2e-2, "batch_size": 32, "steps": 300, "seed": 0}
