import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

text = ("to be or not to be that is the question whether tis nobler in the mind to suffer "
        "the slings and arrows of outrageous fortune ") * 4
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
VOCAB, CTX, D = len(chars), 32, 64


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D)
        self.pos = nn.Parameter(torch.zeros(CTX, D))
        layer = nn.TransformerEncoderLayer(D, nhead=4, dim_feedforward=128, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.ln = nn.LayerNorm(D)
        self.out = nn.Linear(D, VOCAB)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(CTX))

    def forward(self, idx):
        T = idx.shape[1]
        h = self.tok(idx) + self.pos[:T]
        h = self.blocks(h, mask=self.causal[:T, :T], is_causal=True)
        return self.out(self.ln(h))


def get_batch(bs):
    starts = torch.randint(0, len(data) - CTX - 1, (bs,))
    x = torch.stack([data[s:s + CTX] for s in starts])
    y = torch.stack([data[s + 1:s + CTX + 1] for s in starts])
    return x, y


model = CharLM()
total_steps = 200
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=5e-3, total_steps=total_steps)

for step in range(total_steps):
    x, y = get_batch(16)
    logits = model(x)
    logp = F.log_softmax(logits, dim=-1)
    loss = F.nll_loss(logp.reshape(-1, VOCAB), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 25 == 0 or step == total_steps - 1:
        print(f"step {step} loss {loss.item():.6f} ppl {math.exp(loss.item()):.4f} "
              f"min logp {logp.min().item():.1f}")
