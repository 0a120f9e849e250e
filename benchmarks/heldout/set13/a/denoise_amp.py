import torch
import torch.nn as nn

torch.manual_seed(0)


def make_signals(n, length=256):
    t = torch.linspace(0, 1, length)
    freqs = torch.randint(2, 12, (n, 1)).float()
    phase = torch.rand(n, 1) * 6.28
    clean = torch.sin(6.28 * freqs * t + phase)
    noisy = clean + 0.3 * torch.randn(n, length)
    return noisy, clean


class Denoiser(nn.Module):
    def __init__(self, length=256):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(length, 512), nn.GELU(), nn.Linear(512, 128), nn.GELU())
        self.dec = nn.Sequential(nn.Linear(128, 512), nn.GELU(), nn.Linear(512, length))

    def forward(self, x):
        return self.dec(self.enc(x))


noisy, clean = make_signals(4096)
model = Denoiser()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
scaler = torch.amp.GradScaler("cpu")
loss_fn = nn.MSELoss(reduction="sum")

bs = 128
step = 0
for epoch in range(3):
    perm = torch.randperm(len(noisy))
    for i in range(0, len(noisy), bs):
        idx = perm[i:i + bs]
        with torch.autocast("cpu", dtype=torch.float16):
            out = model(noisy[idx])
            loss = loss_fn(out.float(), clean[idx])
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), float("inf"))
        scaler.step(opt)
        scaler.update()
        if step % 8 == 0 or step < 6:
            print(f"step {step} loss {loss.item():.3f} grad_norm {gnorm.item():.3e} scale {scaler.get_scale():.0f}")
        step += 1
