import argparse
import string

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

CHARSET = string.digits + string.ascii_lowercase
BLANK = 0


class SyntheticWordImages(Dataset):
    def __init__(self, n=384, height=32, width=100, seed=7):
        g = torch.Generator().manual_seed(seed)
        self.images = torch.rand(n, 1, height, width, generator=g)
        self.labels = []
        for i in range(n):
            length = int(torch.randint(3, 11, (1,), generator=g))
            if i == 211:
                length = 23
            idx = torch.randint(0, len(CHARSET), (length,), generator=g)
            self.labels.append("".join(CHARSET[j] for j in idx))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i], self.labels[i]


def encode(texts):
    targets = [torch.tensor([CHARSET.index(c) + 1 for c in t]) for t in texts]
    lengths = torch.tensor([len(t) for t in targets])
    return torch.cat(targets), lengths


def collate(batch):
    images = torch.stack([b[0] for b in batch])
    texts = [b[1] for b in batch]
    return images, texts


class CRNN(nn.Module):
    def __init__(self, num_classes):
        super().__init__()

        def block(cin, cout, pool):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True), nn.MaxPool2d(pool))

        self.backbone = nn.Sequential(
            block(1, 32, (2, 2)),
            block(32, 64, (2, 2)),
            block(64, 96, (2, 2)),
            block(96, 128, (4, 1)),
        )
        self.rnn = nn.LSTM(128, 96, bidirectional=True, batch_first=False)
        self.fc = nn.Linear(192, num_classes)

    def forward(self, x):
        f = self.backbone(x)
        f = nn.functional.adaptive_avg_pool2d(f, (1, 16))
        f = f.squeeze(2).permute(2, 0, 1)
        out, _ = self.rnn(f)
        return self.fc(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    train_set = SyntheticWordImages()
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, collate_fn=collate,
                        generator=torch.Generator().manual_seed(0))
    model = CRNN(len(CHARSET) + 1)
    criterion = nn.CTCLoss(blank=BLANK)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    for epoch in range(args.epochs):
        model.train()
        for images, texts in loader:
            targets, target_lengths = encode(texts)
            logits = model(images)
            log_probs = logits.log_softmax(2)
            input_lengths = torch.full((images.size(0),), log_probs.size(0), dtype=torch.long)
            loss = criterion(log_probs, targets, input_lengths, target_lengths)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 4 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    main()
