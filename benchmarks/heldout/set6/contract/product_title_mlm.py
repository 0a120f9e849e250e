import torch
from torch import nn
import torch.nn.functional as F

VOCAB = 64
PAD, MASK = 0, 1
SEQ_LEN = 6
MASK_PROB = 0.15


class TitleEncoder(nn.Module):
    def __init__(self, vocab=VOCAB, dim=32, heads=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.pos = nn.Embedding(SEQ_LEN, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=64,
                                           dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, num_layers=1)
        self.lm_head = nn.Linear(dim, vocab)

    def forward(self, ids):
        pos = torch.arange(ids.size(1), device=ids.device)
        h = self.tok(ids) + self.pos(pos)
        h = self.enc(h)
        return self.lm_head(h)


def build_model():
    return TitleEncoder()


class MaskedTitles(torch.utils.data.Dataset):
    """Short product titles with a fixed, pre-drawn masking pattern per title."""

    def __init__(self, n=800, seed=5):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(2, VOCAB, (n, SEQ_LEN), generator=g)
        self.select = torch.rand(n, SEQ_LEN, generator=g) < MASK_PROB

    def __len__(self):
        return self.ids.size(0)

    def __getitem__(self, i):
        ids = self.ids[i].clone()
        labels = torch.full_like(ids, -100)
        sel = self.select[i]
        labels[sel] = ids[sel]
        ids[sel] = MASK
        return ids, labels


def build_dataset():
    return MaskedTitles()


def compute_loss(model, batch):
    ids, labels = batch
    logits = model(ids)
    return F.cross_entropy(logits.reshape(-1, VOCAB), labels.reshape(-1), ignore_index=-100)


def build_optimizer(params, lr):
    return torch.optim.AdamW(params, lr=lr, weight_decay=0.01)


NANWIZ = {"lr": 5e-4, "batch_size": 4, "steps": 300, "seed": 0}
