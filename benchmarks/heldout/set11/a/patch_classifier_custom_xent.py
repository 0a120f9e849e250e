import torch
from torch import nn


class SoftmaxCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target):
        e = torch.exp(logits)
        probs = e / e.sum(dim=1, keepdim=True)
        ctx.save_for_backward(probs, target)
        picked = probs.gather(1, target.unsqueeze(1)).squeeze(1)
        return -torch.log(picked).mean()

    @staticmethod
    def backward(ctx, grad_out):
        probs, target = ctx.saved_tensors
        grad = probs.clone()
        grad[torch.arange(len(target)), target] -= 1.0
        return grad_out * grad / len(target), None


def texture_patches(n=2048, n_classes=8, dim=48, seed=5):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(n_classes, dim, generator=g) * 6.0
    labels = torch.randint(0, n_classes, (n,), generator=g)
    feats = centers[labels] + torch.randn(n, dim, generator=g)
    return feats, labels


def main():
    torch.manual_seed(5)
    x, y = texture_patches()
    model = nn.Sequential(nn.Linear(48, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 8))
    opt = torch.optim.SGD(model.parameters(), lr=0.12, momentum=0.9)
    loss_fn = SoftmaxCrossEntropy.apply
    step = 0
    for epoch in range(10):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            logits = model(x[idx])
            loss = loss_fn(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 25 == 0:
                acc = (logits.argmax(1) == y[idx]).float().mean().item()
                print(f"step {step} loss {loss.item():.4f} acc {acc:.3f} max_logit {logits.max().item():.1f}")
            step += 1


if __name__ == "__main__":
    main()
