import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

VOCAB = 64
MAX_LEN = 24
PAD = 0
IGNORE = -100


class InstructionDataset(Dataset):
    def __init__(self, n=96, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.examples = []
        for i in range(n):
            plen = int(torch.randint(4, 12, (1,), generator=g))
            if 40 <= i < 44:
                plen = int(torch.randint(26, 32, (1,), generator=g))
            rlen = int(torch.randint(3, 8, (1,), generator=g))
            prompt = torch.randint(3, VOCAB, (plen,), generator=g)
            response = (prompt[:rlen] * 3 + 1) % (VOCAB - 3) + 3
            self.examples.append((prompt, response))

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, i):
        prompt, response = self.examples[i]
        ids = torch.cat([prompt, torch.tensor([1]), response, torch.tensor([2])])
        labels = ids.clone()
        labels[: len(prompt) + 1] = IGNORE
        ids, labels = ids[:MAX_LEN], labels[:MAX_LEN]
        pad = MAX_LEN - len(ids)
        ids = F.pad(ids, (0, pad), value=PAD)
        labels = F.pad(labels, (0, pad), value=IGNORE)
        return ids, labels


class TinyLM(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(MAX_LEN, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.tok(ids) + self.pos(torch.arange(T))
        causal = nn.Transformer.generate_square_subsequent_mask(T)
        return self.head(self.blocks(x, mask=causal, is_causal=True))


def token_loss(logits, labels):
    logits = logits[:, :-1].reshape(-1, VOCAB)
    labels = labels[:, 1:].reshape(-1)
    mask = (labels != IGNORE).float()
    per_token = F.cross_entropy(logits, labels.clamp(min=0), reduction="none")
    return (per_token * mask).sum() / mask.sum()


def main():
    torch.manual_seed(0)
    ds = InstructionDataset()
    loader = DataLoader(ds, batch_size=4, shuffle=False)
    model = TinyLM()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3 * len(loader))
    step = 0
    for epoch in range(3):
        model.train()
        for ids, labels in loader:
            logits = model(ids)
            loss = token_loss(logits, labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.2e}")
            step += 1


if __name__ == "__main__":
    main()
