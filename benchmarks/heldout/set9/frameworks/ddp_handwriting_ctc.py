import torch
from torch import nn
import torch.nn.functional as F
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import Dataset, DataLoader
from torch.utils.data.distributed import DistributedSampler

ALPHABET = "abcdefghijklmnopqrstuvwxyz '"
HEIGHT, WIDTH = 16, 64
MAX_LABEL = 48


class TextLines(Dataset):
    def __init__(self, n=384, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.images, self.labels = [], []
        for i in range(n):
            length = int(torch.randint(3, 11, (1,), generator=g))
            if i == 217:
                length = 40
            label = torch.randint(1, len(ALPHABET) + 1, (length,), generator=g)
            img = 0.1 * torch.randn(HEIGHT, WIDTH, generator=g)
            cols = torch.linspace(0, WIDTH - 1, length).long()
            for c, ch in zip(cols.tolist(), label.tolist()):
                img[ch % HEIGHT, c] += 1.0
            self.images.append(img)
            self.labels.append(label)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], self.labels[i]


def collate(batch):
    imgs = torch.stack([b[0] for b in batch])
    lens = torch.tensor([len(b[1]) for b in batch])
    targets = torch.zeros(len(batch), MAX_LABEL, dtype=torch.long)
    for r, (_, lab) in enumerate(batch):
        targets[r, :len(lab)] = lab
    return imgs, targets, lens


class LineRecognizer(nn.Module):
    def __init__(self, n_classes=len(ALPHABET) + 1, hidden=64):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(HEIGHT, hidden, 3, padding=1), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.rnn = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_classes)

    def forward(self, imgs):
        h = self.conv(imgs).transpose(1, 2)
        h, _ = self.rnn(h)
        return self.out(h).log_softmax(-1)


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    ds = TextLines()
    sampler = DistributedSampler(ds, shuffle=True, seed=0)
    loader = DataLoader(ds, batch_size=8, sampler=sampler, collate_fn=collate)
    model = DDP(LineRecognizer())
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    ctc = nn.CTCLoss(blank=0)

    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for imgs, targets, target_lens in loader:
            log_probs = model(imgs)
            input_lens = torch.full((imgs.shape[0],), log_probs.shape[1], dtype=torch.long)
            loss = ctc(log_probs.transpose(0, 1), targets, input_lens, target_lens)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 5 == 0:
                print(f"rank {rank} epoch {epoch} step {step} ctc {loss.item():.3f}", flush=True)
            step += 1
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
