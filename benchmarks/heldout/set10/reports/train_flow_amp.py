import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def synthetic_pairs(n, h=24, w=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    img1 = torch.rand(n, 3, h, w, generator=g) * 255.0
    img1 = F.avg_pool2d(img1, 3, stride=1, padding=1)
    flow = torch.randn(n, 2, 1, 1, generator=g) * 3.0
    flow = flow.expand(n, 2, h, w).contiguous()
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float), torch.arange(w, dtype=torch.float), indexing="ij")
    grid_x = (xs[None] + flow[:, 0]) / (w - 1) * 2 - 1
    grid_y = (ys[None] + flow[:, 1]) / (h - 1) * 2 - 1
    img2 = F.grid_sample(img1, torch.stack([grid_x, grid_y], -1), align_corners=True, padding_mode="border")
    return img1, img2, flow


class BasicEncoder(nn.Module):
    def __init__(self, out_dim=64):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 7, stride=2, padding=3)
        self.norm1 = nn.InstanceNorm2d(32)
        self.conv2 = nn.Conv2d(32, 48, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(48, out_dim, 1)

    def forward(self, x):
        x = F.relu(self.norm1(self.conv1(x)))
        x = F.relu(self.conv2(x))
        return self.conv3(x)


class FlowNetSmall(nn.Module):
    def __init__(self, iters=4):
        super().__init__()
        self.iters = iters
        self.fnet = BasicEncoder(64)
        self.update = nn.Sequential(
            nn.Conv2d(64 * 2 + 2, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 2, 3, padding=1),
        )

    def forward(self, image1, image2):
        image1 = 2 * (image1 / 255.0) - 1.0
        image2 = 2 * (image2 / 255.0) - 1.0
        f1, f2 = self.fnet(image1), self.fnet(image2)
        flow = torch.zeros(f1.size(0), 2, f1.size(2), f1.size(3))
        predictions = []
        for _ in range(self.iters):
            flow = flow + self.update(torch.cat([f1, f2, flow], 1))
            predictions.append(4 * F.interpolate(flow, scale_factor=4, mode="bilinear", align_corners=True))
        return predictions


def sequence_loss(flow_preds, flow_gt, gamma=0.8):
    n_predictions = len(flow_preds)
    flow_loss = 0.0
    for i in range(n_predictions):
        i_weight = gamma ** (n_predictions - i - 1)
        i_loss = (flow_preds[i] - flow_gt).abs()
        flow_loss += i_weight * i_loss.mean()
    epe = torch.sum((flow_preds[-1] - flow_gt) ** 2, dim=1).sqrt()
    return flow_loss, {"epe": epe.mean().item()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--num_steps", type=int, default=24)
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=4e-4)
    parser.add_argument("--wdecay", type=float, default=1e-4)
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--mixed_precision", action="store_true", default=True)
    args = parser.parse_args()

    torch.manual_seed(1234)
    img1, img2, flow_gt = synthetic_pairs(64)
    model = FlowNetSmall()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wdecay, eps=1e-8)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.lr, args.num_steps + 100,
                                                    pct_start=0.05, cycle_momentum=False, anneal_strategy="linear")
    scaler = torch.amp.GradScaler("cpu", enabled=args.mixed_precision)

    total_steps = 0
    while total_steps < args.num_steps:
        perm = torch.randperm(img1.size(0))
        for i in range(0, img1.size(0), args.batch_size):
            idx = perm[i:i + args.batch_size]
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16, enabled=args.mixed_precision):
                flow_predictions = model(img1[idx], img2[idx])
            loss, metrics = sequence_loss([p.float() for p in flow_predictions], flow_gt[idx])
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)

            scaler.step(optimizer)
            scheduler.step()
            scaler.update()

            if total_steps % 5 == 0 or total_steps < 6:
                print(f"step {total_steps:4d} loss {loss.item():.4f} epe {metrics['epe']:.3f} "
                      f"grad_norm {grad_norm.item():.3f} scale {scaler.get_scale():.0f} lr {scheduler.get_last_lr()[0]:.2e}")
            total_steps += 1
            if total_steps >= args.num_steps:
                break


if __name__ == "__main__":
    main()
