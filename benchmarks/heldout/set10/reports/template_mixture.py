import math

import torch
import torch.nn as nn

torch.manual_seed(0)

IMG = 8
K = 6


def make_glyphs(n, noise=0.04):
    g = torch.Generator().manual_seed(1)
    protos = torch.zeros(4, IMG, IMG)
    protos[0, 2:6, 3:5] = 1.0
    protos[1, 3:5, 1:7] = 1.0
    protos[2].fill_diagonal_(1.0)
    protos[3, 1:7, 1] = 1.0
    protos[3, 1:7, 6] = 1.0
    idx = torch.randint(0, 4, (n,), generator=g)
    x = protos[idx] + noise * torch.randn(n, IMG, IMG, generator=g)
    return x.clamp(0, 1).view(n, -1), idx


class TemplateMixture(nn.Module):
    def __init__(self, k=K, d=IMG * IMG):
        super().__init__()
        self.template_logits = nn.Parameter(0.1 * torch.randn(k, d))
        self.mix_logits = nn.Parameter(torch.zeros(k))
        self.log_scale = nn.Parameter(torch.tensor(0.0))

    def log_prob(self, x):
        templates = torch.sigmoid(self.template_logits)
        scale = self.log_scale.exp()
        diff = (x[:, None, :] - templates[None]) / scale
        comp_log_prob = (-0.5 * diff ** 2 - self.log_scale - 0.5 * math.log(2 * math.pi)).sum(-1)
        mix = torch.softmax(self.mix_logits, 0)
        likelihood = torch.sum(mix * torch.exp(comp_log_prob), dim=-1)
        return torch.log(likelihood)


def main():
    x, _ = make_glyphs(512)
    model = TemplateMixture()
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for step in range(400):
        batch = x[torch.randint(0, x.size(0), (64,))]
        loss = -model.log_prob(batch).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0:
            print(f"step {step:4d}  nll {loss.item():10.4f}  scale {model.log_scale.exp().item():.4f}")


if __name__ == "__main__":
    main()
