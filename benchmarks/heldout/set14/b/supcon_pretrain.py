import argparse
import torch
from torch import nn
import torch.nn.functional as F


class SupConLoss(nn.Module):
    def __init__(self, temperature=0.07):
        super().__init__()
        self.temperature = temperature

    def forward(self, features, labels):
        # features: [bsz, n_views, dim]
        bsz, n_views, _ = features.shape
        labels = labels.view(-1, 1)
        mask = torch.eq(labels, labels.T).float().repeat(n_views, n_views)
        contrast = torch.cat(torch.unbind(features, dim=1), dim=0)
        logits = contrast @ contrast.T / self.temperature
        logits_mask = 1.0 - torch.eye(bsz * n_views)
        mask = mask * logits_mask
        exp_logits = torch.exp(logits) * logits_mask
        log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
        mean_log_prob_pos = (mask * log_prob).sum(1) / mask.sum(1).clamp(min=1)
        return -mean_log_prob_pos.mean()


class Encoder(nn.Module):
    def __init__(self, in_dim=64, feat_dim=32):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(in_dim, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, feat_dim))

    def forward(self, x):
        return self.head(self.backbone(x))


def augment(x, gen):
    noise = 0.1 * torch.randn(x.shape, generator=gen)
    scale = 1.0 + 0.1 * torch.randn(x.shape[0], 1, generator=gen)
    return x * scale + noise


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--accum", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.05)
    args = p.parse_args()

    torch.manual_seed(5)
    gen = torch.Generator().manual_seed(5)
    centers = torch.randn(10, 64, generator=gen) * 2
    labels_all = torch.randint(0, 10, (2048,), generator=gen)
    data = centers[labels_all] + torch.randn(2048, 64, generator=gen)

    model = Encoder()
    criterion = SupConLoss(temperature=0.07)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)

    micro_bs = 64
    pos = 0
    for step in range(args.steps):
        optimizer.zero_grad()
        running = 0.0
        for _ in range(args.accum):
            if pos + micro_bs > len(data):
                pos = 0
            x = data[pos : pos + micro_bs]
            y = labels_all[pos : pos + micro_bs]
            pos += micro_bs
            views = torch.stack([model(augment(x, gen)), model(augment(x, gen))], dim=1)
            loss = criterion(views, y) / args.accum
            loss.backward()
            running += loss.item()
        optimizer.step()
        if step % 10 == 0:
            print(f"step {step} supcon loss {running:.4f}")


if __name__ == "__main__":
    main()
