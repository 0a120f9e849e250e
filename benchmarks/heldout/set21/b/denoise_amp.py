import torch
import torch.nn as nn
import torch.nn.functional as F


class DenoiseNet(nn.Module):
    def __init__(self, ch=24):
        super().__init__()
        self.enc1 = nn.Conv2d(1, ch, 3, padding=1)
        self.enc2 = nn.Conv2d(ch, ch, 3, padding=1, stride=2)
        self.dec1 = nn.ConvTranspose2d(ch, ch, 4, stride=2, padding=1)
        self.out = nn.Conv2d(2 * ch, 1, 3, padding=1)

    def forward(self, x):
        e1 = F.relu(self.enc1(x))
        e2 = F.relu(self.enc2(e1))
        d1 = F.relu(self.dec1(e2))
        return x - self.out(torch.cat([d1, e1], 1))


def make_batch(gen, n=12, size=20):
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    freq = torch.rand(n, 1, 1, generator=gen) * 4 + 1
    phase = torch.rand(n, 1, 1, generator=gen) * 6.28
    clean = torch.sin(freq * xx + phase) * torch.cos(freq * yy - phase)
    clean = clean.unsqueeze(1)
    noisy = clean + 0.3 * torch.randn(clean.shape, generator=gen)
    return noisy, clean


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = DenoiseNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 24)
    for step in range(60):
        noisy, clean = make_batch(gen)
        with torch.autocast("cpu", dtype=torch.float16):
            pred = model(noisy)
            loss = F.mse_loss(pred.float(), clean, reduction="sum") / noisy.size(0)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        scaler.step(optimizer)
        scaler.update()
        if step < 12 or step % 10 == 0:
            print(f"step {step:3d} loss {loss.item():8.3f} grad_norm {grad_norm.item():10.3f} scale {scaler.get_scale():.0f}")


if __name__ == "__main__":
    main()
