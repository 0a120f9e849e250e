import torch
from torch import nn
import torch.nn.functional as F

CHARSET = "0123456789abcdefghjkmnpqrstuvwxyz"
BLANK = 0
N_CLASSES = len(CHARSET) + 1
H, W = 16, 48
MAX_LABEL = 16

EXTRA_LABELS = {41: "a7k2m9p4x8c3v6b", 202: "q3w8e5r2t7y4u9", 310: "7777777", 377: "h4j8k2m6n3p9r5"}


def encode(text):
    return torch.tensor([CHARSET.index(ch) + 1 for ch in text], dtype=torch.long)


class TinyCRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 8 x 24
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 4 x 12
        )
        self.rnn = nn.GRU(32 * 4, 64, batch_first=True, bidirectional=True)
        self.cls = nn.Linear(128, N_CLASSES)

    def forward(self, img):
        f = self.cnn(img)                       # B, C, 4, 12
        b, c, h, w = f.shape
        f = f.permute(0, 3, 1, 2).reshape(b, w, c * h)
        out, _ = self.rnn(f)
        return self.cls(out)                    # B, T, classes


def build_model():
    return TinyCRNN()


class Captchas(torch.utils.data.Dataset):
    def __init__(self, n=480, seed=2):
        g = torch.Generator().manual_seed(seed)
        self.labels = []
        for _ in range(n):
            length = int(torch.randint(4, 7, (1,), generator=g))
            self.labels.append(torch.randint(1, N_CLASSES, (length,), generator=g))
        # samples merged in from the second labelling batch
        for i, text in EXTRA_LABELS.items():
            self.labels[i] = encode(text)
        self.images = torch.rand(n, 1, H, W, generator=g) * 0.3
        for i, lab in enumerate(self.labels):
            step = W / max(len(lab), 1)
            for j, c in enumerate(lab.tolist()):
                x0 = int(j * step)
                rows = (c * 7) % (H - 4)
                self.images[i, 0, rows:rows + 4, x0:x0 + max(int(step) - 1, 1)] += 0.7

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        lab = self.labels[i]
        padded = torch.zeros(MAX_LABEL, dtype=torch.long)
        padded[:len(lab)] = lab
        return self.images[i], padded, len(lab)


def build_dataset():
    return Captchas()


def compute_loss(model, batch):
    img, targets, target_lens = batch
    logits = model(img)
    log_probs = F.log_softmax(logits, dim=-1).transpose(0, 1)   # T, B, C
    t, b = log_probs.shape[:2]
    input_lens = torch.full((b,), t, dtype=torch.long)
    return F.ctc_loss(log_probs, targets, input_lens, target_lens, blank=BLANK)


NANWIZ = {"lr": 1e-3, "batch_size": 16, "steps": 150, "seed": 2}
