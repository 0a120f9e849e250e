import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class SpectralPatches(Dataset):
    """RGB patch -> 16-band reflectance patch pairs."""

    def __init__(self, n, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.cube = 0.05 + 0.9 * torch.rand(n, 16, 12, 12, generator=g)
        self.cube[n // 3, :, :4, :] = 0.0
        self.cube[(2 * n) // 3, :, :, -3:] = 0.0
        proj = torch.rand(3, 16, generator=g)
        proj = proj / proj.sum(1, keepdim=True)
        self.rgb = torch.einsum("cs,nshw->nchw", proj, self.cube)

    def __len__(self):
        return len(self.rgb)

    def __getitem__(self, i):
        return self.rgb[i], self.cube[i]


class MRAE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, output, label):
        diff = output - label
        ctx.save_for_backward(diff, label)
        return (diff.abs() / label).mean()

    @staticmethod
    def backward(ctx, grad_out):
        diff, label = ctx.saved_tensors
        grad = torch.sign(diff) / label / diff.numel()
        return grad_out * grad, None


class SpectralNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 16, 1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x)


def train():
    torch.manual_seed(0)
    ds = SpectralPatches(240)
    loader = DataLoader(ds, batch_size=16, shuffle=False)
    model = SpectralNet()
    opt = torch.optim.Adam(model.parameters(), lr=4e-4)
    step = 0
    for epoch in range(2):
        for rgb, cube in loader:
            pred = model(rgb)
            loss = MRAE.apply(pred, cube)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} mrae {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    train()
