import torch
from torch import nn
import torch.nn.functional as F

N = 2000
MAX_CANDIDATES = 8
DIM = 24
ENTROPY_WEIGHT = 0.1


def build_dataset():
    g = torch.Generator().manual_seed(31)
    question = torch.randn(N, DIM, generator=g)
    candidates = torch.randn(N, MAX_CANDIDATES, DIM, generator=g)
    n_cand = torch.randint(2, MAX_CANDIDATES + 1, (N,), generator=g)
    valid = torch.arange(MAX_CANDIDATES).unsqueeze(0) < n_cand.unsqueeze(1)
    answer = (torch.rand(N, generator=g) * n_cand).long()
    candidates[torch.arange(N), answer] += 0.8 * question
    candidates = candidates * valid.unsqueeze(-1)
    return torch.utils.data.TensorDataset(question, candidates, valid, answer)


class Ranker(nn.Module):
    def __init__(self):
        super().__init__()
        self.q_proj = nn.Sequential(nn.Linear(DIM, 64), nn.Tanh(), nn.Linear(64, 64))
        self.c_proj = nn.Sequential(nn.Linear(DIM, 64), nn.Tanh(), nn.Linear(64, 64))

    def forward(self, question, candidates, valid):
        q = self.q_proj(question).unsqueeze(1)
        c = self.c_proj(candidates)
        scores = (q * c).sum(-1) / 8.0
        return scores.masked_fill(~valid, torch.finfo(scores.dtype).min)


def build_model():
    return Ranker()


def compute_loss(model, batch):
    question, candidates, valid, answer = batch
    scores = model(question, candidates, valid)
    ce = F.cross_entropy(scores, answer)
    probs = scores.softmax(-1)
    plogp = torch.where(probs > 0, probs * torch.log(probs), torch.zeros_like(probs))
    entropy = -plogp.sum(-1).mean()
    return {"ce": ce, "confidence_penalty": -ENTROPY_WEIGHT * entropy}


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 150}
