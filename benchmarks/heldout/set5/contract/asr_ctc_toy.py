import torch
from torch import nn
import torch.nn.functional as F

N_MELS = 40
VOCAB = 28
N_UTT = 640


class SpeechCommands(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(21)
        self.items = []
        prototypes = torch.randn(VOCAB, N_MELS, generator=g)
        for _ in range(N_UTT):
            n_tokens = int(torch.randint(4, 13, (1,), generator=g))
            tokens = torch.randint(1, VOCAB, (n_tokens,), generator=g)
            frames_per_token = torch.randint(6, 11, (n_tokens,), generator=g)
            frames = torch.cat([prototypes[t].expand(int(k), N_MELS) for t, k in zip(tokens, frames_per_token)])
            frames = frames + 0.5 * torch.randn(frames.shape, generator=g)
            if float(torch.rand(1, generator=g)) < 0.025:
                keep = int(frames.shape[0] * (0.25 + 0.15 * float(torch.rand(1, generator=g))))
                frames = frames[:keep]
            self.items.append((frames, tokens))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def build_dataset():
    return SpeechCommands()


def collate_fn(samples):
    feats = [s[0] for s in samples]
    targets = [s[1] for s in samples]
    feat_lens = torch.tensor([f.shape[0] for f in feats])
    target_lens = torch.tensor([t.shape[0] for t in targets])
    feats = nn.utils.rnn.pad_sequence(feats, batch_first=True)
    return feats, feat_lens, torch.cat(targets), target_lens


class ConvCTC(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(N_MELS, 96, kernel_size=5, stride=2, padding=2)
        self.conv2 = nn.Conv1d(96, 96, kernel_size=5, stride=2, padding=2)
        self.conv3 = nn.Conv1d(96, 96, kernel_size=3, stride=1, padding=1)
        self.out = nn.Linear(96, VOCAB)

    def output_lengths(self, lens):
        for conv in (self.conv1, self.conv2, self.conv3):
            k, s, p = conv.kernel_size[0], conv.stride[0], conv.padding[0]
            lens = (lens + 2 * p - k) // s + 1
        return lens

    def forward(self, x):
        h = x.transpose(1, 2)
        h = F.relu(self.conv1(h))
        h = F.relu(self.conv2(h))
        h = F.relu(self.conv3(h))
        return self.out(h.transpose(1, 2))


def build_model():
    return ConvCTC()


def compute_loss(model, batch):
    feats, feat_lens, targets, target_lens = batch
    logits = model(feats)
    log_probs = logits.log_softmax(-1).transpose(0, 1)
    out_lens = model.output_lengths(feat_lens)
    return F.ctc_loss(log_probs, targets, out_lens, target_lens, blank=0)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 120}
