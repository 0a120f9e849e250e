import torch
import torch.nn.functional as F
from torch import nn

VOCAB, TAGS, PAD = 300, 5, 0


def make_corpus(n=384, seed=31):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(6, 25, (n,), generator=g)
    tokens = torch.zeros(n, 24, dtype=torch.long)
    tags = torch.full((n, 24), -100, dtype=torch.long)
    for i, L in enumerate(lengths.tolist()):
        tok = torch.randint(1, VOCAB, (L,), generator=g)
        tokens[i, :L] = tok
        tags[i, :L] = tok % TAGS
    return tokens, tags


class Tagger(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(24, d))
        self.qkv = nn.Linear(d, 3 * d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.out = nn.Linear(d, TAGS)

    def attend(self, h, pad_mask):
        q, k, v = self.qkv(h).chunk(3, dim=-1)
        scores = q @ k.transpose(1, 2) / q.size(-1) ** 0.5
        scores = scores.masked_fill(pad_mask[:, None, :], float("-inf"))
        return torch.softmax(scores, dim=-1) @ v

    def forward(self, tokens):
        pad_mask = tokens.eq(PAD)
        h = self.emb(tokens) + self.pos
        h = self.norm1(h + self.attend(h, pad_mask))
        h = self.norm2(h + self.ff(h))
        return self.out(h)


def main():
    torch.manual_seed(0)
    tokens, tags = make_corpus()
    model = Tagger()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    step = 0
    for epoch in range(4):
        for i in range(0, len(tokens), 32):
            x, y = tokens[i:i + 32], tags[i:i + 32]
            logp = F.log_softmax(model(x), dim=-1)
            loss = F.nll_loss(logp.reshape(-1, TAGS), y.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 8 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} min logp {logp.min().item():.1f}")
            step += 1


if __name__ == "__main__":
    main()
