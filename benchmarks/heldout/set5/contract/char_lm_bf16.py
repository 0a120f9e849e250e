import torch
from torch import nn
import torch.nn.functional as F

SEQ = 48
N_SEQ = 800
ALPHABET = "abcdefghijklmnopqrstuvwxyz .,"


def _corpus():
    g = torch.Generator().manual_seed(83)
    syllables = ["ka", "to", "ri", "na", "me", "su", "lo", "vi", "da", "pe", "qu", "zo"]
    words = []
    for _ in range(400):
        k = int(torch.randint(1, 4, (1,), generator=g))
        words.append("".join(syllables[int(i)] for i in torch.randint(0, len(syllables), (k,), generator=g)))
    zipf = 1.0 / torch.arange(1, len(words) + 1).float()
    text = []
    for _ in range(9000):
        text.append(words[int(torch.multinomial(zipf, 1, generator=g))])
        r = float(torch.rand(1, generator=g))
        text.append(". " if r < 0.08 else (", " if r < 0.15 else " "))
    return "".join(text)


def build_dataset():
    text = _corpus()
    ids = torch.tensor([ALPHABET.index(c) for c in text])
    starts = torch.linspace(0, len(ids) - SEQ - 2, N_SEQ).long()
    seqs = torch.stack([ids[s:s + SEQ + 1] for s in starts])
    return torch.utils.data.TensorDataset(seqs[:, :-1], seqs[:, 1:])


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(len(ALPHABET), 48)
        self.rnn = nn.GRU(48, 96, batch_first=True)
        self.out = nn.Linear(96, len(ALPHABET))

    def forward(self, x):
        h, _ = self.rnn(self.embed(x))
        return self.out(h)


def build_model():
    return CharLM()


def compute_loss(model, batch):
    x, y = batch
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), y.reshape(-1), reduction="sum")


NANWIZ = {"lr": 2e-3, "batch_size": 32, "steps": 100, "amp": "bf16", "grad_clip": 5.0}
