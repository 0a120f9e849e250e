import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)

VOCAB = ["<pad>", "<bos>"] + list("abcdefghijklmnopqrstuvwxyz ")
PAD, BOS = 0, 1
stoi = {c: i for i, c in enumerate(VOCAB)}
MAX_LEN = 24


def make_corpus(n=384):
    g = torch.Generator().manual_seed(4)
    words = ["tea", "cake", "jam", "scone", "milk", "honey", "bread", "butter", "toast"]
    lines = []
    for _ in range(n):
        k = int(torch.randint(1, 4, (1,), generator=g))
        idx = torch.randint(0, len(words), (k,), generator=g).tolist()
        lines.append(" ".join(words[i] for i in idx))
    return lines


def encode_batch(lines):
    seqs = [[BOS] + [stoi[c] for c in line][: MAX_LEN - 1] for line in lines]
    width = max(len(s) for s in seqs) + 1
    inp = torch.full((len(seqs), width - 1), PAD)
    tgt = torch.full((len(seqs), width - 1), PAD)
    for r, s in enumerate(seqs):
        full = s + [PAD]
        inp[r, : len(s)] = torch.tensor(s)
        tgt[r, : len(s) - 1] = torch.tensor(full[1: len(s)])
    return inp, tgt


class CharLM(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(len(VOCAB), d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(1, MAX_LEN + 1, d))
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=128, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.out = nn.Linear(d, len(VOCAB))

    def forward(self, x):
        T = x.shape[1]
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        h = self.tok(x) + self.pos[:, :T]
        h = self.enc(h, mask=causal, src_key_padding_mask=(x == PAD))
        return self.out(h)


lines = make_corpus()
model = CharLM()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
bs = 32
step = 0
for epoch in range(2):
    order = torch.randperm(len(lines)).tolist()
    for i in range(0, len(lines), bs):
        inp, tgt = encode_batch([lines[j] for j in order[i:i + bs]])
        logits = model(inp)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step} loss {loss.item():.4f} ppl {loss.exp().item():.2f}")
        step += 1

model.eval()
with torch.no_grad():
    x = torch.tensor([[BOS]])
    for _ in range(20):
        nxt = model(x)[0, -1].argmax().item()
        if nxt == PAD:
            break
        x = torch.cat([x, torch.tensor([[nxt]])], dim=1)
print("sample:", "".join(VOCAB[i] for i in x[0, 1:].tolist()))
