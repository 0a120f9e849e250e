import random
import torch
from torch import nn

SOS, VOCAB, SEQ_LEN, HIDDEN = 0, 12, 16, 128


def make_batch(batch_size, g):
    src = torch.randint(1, VOCAB, (batch_size, SEQ_LEN), generator=g)
    tgt = src.flip(1)
    return src, tgt


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 32)
        self.encoder = nn.RNN(32, HIDDEN, batch_first=True, nonlinearity="relu")
        self.decoder = nn.RNN(32, HIDDEN, batch_first=True, nonlinearity="relu")
        self.out = nn.Linear(HIDDEN, VOCAB)
        for rnn in (self.encoder, self.decoder):
            nn.init.eye_(rnn.weight_hh_l0)
            nn.init.zeros_(rnn.bias_hh_l0)

    def forward(self, src, tgt, teacher_forcing=0.5):
        _, h = self.encoder(self.embed(src))
        inp = torch.full((src.size(0), 1), SOS, dtype=torch.long)
        logits = []
        for t in range(tgt.size(1)):
            o, h = self.decoder(self.embed(inp), h)
            step_logits = self.out(o)
            logits.append(step_logits)
            if random.random() < teacher_forcing:
                inp = tgt[:, t:t + 1]
            else:
                inp = step_logits.argmax(-1)
        return torch.cat(logits, dim=1)


def main():
    random.seed(0)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = Seq2Seq()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for step in range(30):
        src, tgt = make_batch(32, g)
        logits = model(src, tgt)
        loss = criterion(logits.reshape(-1, VOCAB), tgt.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 5 == 0:
            print(f"step {step:3d}  loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
