import torch

torch.manual_seed(21)

# calibration data: sensor reading vs. reference value
n = 2000
reference = torch.linspace(0, 10, n)
reading = 1.8 * reference + 0.7 + 0.05 * torch.randn(n)

gain = torch.zeros(1, requires_grad=True)
offset = torch.zeros(1, requires_grad=True)
noise_var = torch.ones(1, requires_grad=True)

lr = 0.02
batch = 100
for epoch in range(30):
    perm = torch.randperm(n)
    for i in range(0, n, batch):
        idx = perm[i:i + batch]
        x, y = reference[idx], reading[idx]
        mu = gain * x + offset
        sigma = torch.sqrt(noise_var)
        nll = (torch.log(sigma) + 0.5 * ((y - mu) / sigma) ** 2).mean()
        nll.backward()
        with torch.no_grad():
            for p in (gain, offset, noise_var):
                p -= lr * p.grad
                p.grad.zero_()
    print(f"epoch {epoch} nll {nll.item():.4f} gain {gain.item():.3f} offset {offset.item():.3f} var {noise_var.item():.5f}")
