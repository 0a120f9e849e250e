import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

VOCAB = 512
PAD = 0
MAX_LEN = 24


class TinyLM(nn.Module):
    def __init__(self, vocab=VOCAB, d_model=64, n_layers=2, n_heads=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.pos = nn.Embedding(MAX_LEN, d_model)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, 4 * d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, n_layers)
        self.ln_f = nn.LayerNorm(d_model)

    def forward(self, input_ids, attention_mask):
        pos = torch.arange(input_ids.shape[1]).unsqueeze(0)
        h = self.tok(input_ids) + self.pos(pos)
        causal = nn.Transformer.generate_square_subsequent_mask(input_ids.shape[1], dtype=h.dtype)
        h = self.blocks(h, mask=causal, src_key_padding_mask=attention_mask == 0)
        return self.ln_f(h)


class RewardModel(nn.Module):
    def __init__(self, base):
        super().__init__()
        self.base = base
        self.v_head = nn.Linear(64, 1, bias=False)

    def forward(self, input_ids, attention_mask):
        h = self.base(input_ids, attention_mask)
        last = attention_mask.sum(1) - 1
        return self.v_head(h[torch.arange(h.shape[0]), last]).squeeze(-1)


class ComparisonDataset(Dataset):
    """Prompt + (chosen, rejected) answers; token ids from a 512-entry vocab."""

    def __init__(self, n=192, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.items = []
        for _ in range(n):
            plen = int(torch.randint(6, 12, (1,), generator=g))
            prompt = torch.randint(1, 300, (plen,), generator=g)
            good = torch.randint(300, 400, (int(torch.randint(4, 10, (1,), generator=g)),), generator=g)
            worse = torch.randint(1, 300, (int(torch.randint(4, 10, (1,), generator=g)),), generator=g)
            self.items.append((torch.cat([prompt, good]), torch.cat([prompt, worse])))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def pad(seqs):
    ids = torch.full((len(seqs), MAX_LEN), PAD, dtype=torch.long)
    mask = torch.zeros(len(seqs), MAX_LEN, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = s
        mask[i, :len(s)] = 1
    return ids, mask


def collate(batch):
    chosen, rejected = zip(*batch)
    return pad(chosen), pad(rejected)


def main():
    torch.manual_seed(0)
    model = RewardModel(TinyLM()).to(torch.float16)
    loader = DataLoader(ComparisonDataset(), batch_size=16, shuffle=True, collate_fn=collate,
                        generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-5)
    step = 0
    for epoch in range(1):
        for (c_ids, c_mask), (r_ids, r_mask) in loader:
            r_chosen = model(c_ids, c_mask)
            r_rejected = model(r_ids, r_mask)
            loss = -F.logsigmoid(r_chosen - r_rejected).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            acc = (r_chosen > r_rejected).float().mean()
            print(f"step {step} loss {loss.item():.4f} acc {acc.item():.3f}")
            step += 1


if __name__ == "__main__":
    main()
