import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader


class FaceClipDataset(Dataset):
    def __init__(self, n_clips=48, frames=4, size=16, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.videos = torch.rand(n_clips, 3, frames, size, size, generator=g) * 2 - 1
        self.masks = torch.zeros(n_clips, 1, frames, size, size)
        for i in range(n_clips):
            cx, cy = torch.randint(4, size - 4, (2,), generator=g).tolist()
            r = int(torch.randint(2, 4, (1,), generator=g))
            self.masks[i, :, :, cy - r:cy + r, cx - r:cx + r] = 1.0
        # clips where the face detector found nothing
        self.masks[29] = 0.0

    def __len__(self):
        return len(self.videos)

    def __getitem__(self, idx):
        return self.videos[idx], self.masks[idx]


class TinyVideoUNet(nn.Module):
    def __init__(self, ch=16):
        super().__init__()
        self.inp = nn.Conv3d(3 + 1, ch, 3, padding=1)
        self.mid = nn.Conv3d(ch, ch, 3, padding=1)
        self.out = nn.Conv3d(ch, 3, 3, padding=1)

    def forward(self, x, t):
        t_map = t.view(-1, 1, 1, 1, 1).expand(-1, 1, *x.shape[2:])
        h = F.silu(self.inp(torch.cat([x, t_map], dim=1)))
        h = F.silu(self.mid(h)) + h
        return self.out(h)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--grad-accum", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-4)
    args = parser.parse_args()

    torch.manual_seed(0)
    ds = FaceClipDataset()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    model = TinyVideoUNet()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)

    update = 0
    for epoch in range(args.epochs):
        for i, (video, masks) in enumerate(loader):
            t = torch.rand(video.shape[0])
            noise = torch.randn_like(video)
            noisy = torch.sqrt(1 - t).view(-1, 1, 1, 1, 1) * video + torch.sqrt(t).view(-1, 1, 1, 1, 1) * noise
            pred = model(noisy, t)
            loss = F.mse_loss(pred, noise, reduction="none") * masks
            loss = loss.sum([1, 2, 3, 4]) / masks.sum([1, 2, 3, 4])
            loss = loss.mean() / args.grad_accum
            loss.backward()
            if (i + 1) % args.grad_accum == 0:
                opt.step()
                opt.zero_grad()
                print(f"epoch {epoch} update {update} loss {loss.item() * args.grad_accum:.4f}")
                update += 1


if __name__ == "__main__":
    main()
