import argparse

import torch
from torch import nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence

N_MELS = 20
BLANK = 0
VOCAB = 11  # blank + digits 0-9 (label = digit + 1)


def synth_batches(batch_size, seed):
    g = torch.Generator().manual_seed(seed)
    prototypes = torch.randn(10, N_MELS, generator=g)
    while True:
        feats, targets = [], []
        for _ in range(batch_size):
            n_digits = int(torch.randint(3, 9, (1,), generator=g))
            digits = torch.randint(0, 10, (n_digits,), generator=g)
            durations = torch.randint(4, 10, (n_digits,), generator=g)
            frames = torch.cat([prototypes[d].expand(int(k), N_MELS) for d, k in zip(digits, durations)])
            frames = frames + 0.3 * torch.randn(frames.shape, generator=g)
            feats.append(frames)
            targets.append(digits + 1)
        feat_lens = torch.tensor([f.shape[0] for f in feats])
        target_lens = torch.tensor([t.shape[0] for t in targets])
        yield pad_sequence(feats, batch_first=True), feat_lens, torch.cat(targets), target_lens


class DigitRecognizer(nn.Module):
    def __init__(self, hidden=96):
        super().__init__()
        self.subsample = nn.Sequential(
            nn.Conv1d(N_MELS, hidden, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.rnn = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, VOCAB)

    @staticmethod
    def output_lengths(lens):
        for _ in range(2):
            lens = (lens + 2 * 1 - 3) // 2 + 1
        return lens

    def forward(self, x):
        h = self.subsample(x.transpose(1, 2)).transpose(1, 2)
        h, _ = self.rnn(h)
        return self.out(h)


def greedy_decode(log_probs, lens):
    best = log_probs.argmax(-1)
    outs = []
    for seq, n in zip(best, lens):
        seq = torch.unique_consecutive(seq[:n])
        outs.append([int(s) - 1 for s in seq if s != BLANK])
    return outs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    model = DigitRecognizer()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    ctc = nn.CTCLoss(blank=BLANK)

    for step, (x, x_lens, targets, target_lens) in enumerate(synth_batches(args.batch_size, seed=1)):
        if step == args.steps:
            break
        logits = model(x)
        log_probs = F.log_softmax(logits, dim=-1)
        out_lens = model.output_lengths(x_lens)
        loss = ctc(log_probs.transpose(0, 1), targets, out_lens, target_lens)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        if step % 10 == 0:
            hyp = greedy_decode(log_probs.detach(), out_lens)[0]
            ref = (targets[:target_lens[0]] - 1).tolist()
            print(f"step {step:3d}  ctc {loss.item():.4f}  ref {ref}  hyp {hyp}")


if __name__ == "__main__":
    main()
