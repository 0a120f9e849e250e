import argparse
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--hidden", type=int, default=256)
parser.add_argument("--bptt", type=int, default=40)
parser.add_argument("--lr", type=float, default=2.0)
parser.add_argument("--steps", type=int, default=400)
args = parser.parse_args()

torch.manual_seed(11)

text = ("the quick brown fox jumps over the lazy dog while the cat sleeps by the warm fire "
        "and the bird sings a song of spring in the old oak tree near the river bank ") * 60
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text])
vocab = len(chars)

batch = 16
n_cols = len(data) // batch
streams = data[: n_cols * batch].view(batch, n_cols)


class CharRNN(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, 32)
        self.rnn = nn.RNN(32, hidden, batch_first=True, nonlinearity="relu")
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x, h):
        y, h = self.rnn(self.embed(x), h)
        return self.out(y), h


model = CharRNN(vocab, args.hidden)
opt = torch.optim.SGD(model.parameters(), lr=args.lr)
criterion = nn.CrossEntropyLoss()

h = torch.zeros(1, batch, args.hidden)
pos = 0
for step in range(args.steps):
    if pos + args.bptt + 1 >= n_cols:
        pos = 0
        h = torch.zeros(1, batch, args.hidden)
    x = streams[:, pos:pos + args.bptt]
    y = streams[:, pos + 1:pos + args.bptt + 1]
    pos += args.bptt
    h = h.detach()
    logits, h = model(x, h)
    loss = criterion(logits.reshape(-1, vocab), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 20 == 0:
        print(f"step {step} loss {loss.item():.4f} |h| {h.abs().max().item():.2f}")
