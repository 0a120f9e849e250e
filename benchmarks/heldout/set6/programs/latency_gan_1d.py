import argparse

import torch
import torch.nn as nn


def sample_latencies(n):
    """Request latency (log-ms, standardised) from two server pools."""
    pool = (torch.rand(n, 1) < 0.7).float()
    return pool * (-0.8 + 0.35 * torch.randn(n, 1)) + (1 - pool) * (1.5 + 0.5 * torch.randn(n, 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=800)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(4, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    D = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
    criterion = nn.BCEWithLogitsLoss()
    real_label = torch.ones(args.batch_size, 1)
    fake_label = torch.zeros(args.batch_size, 1)

    for it in range(args.iters):
        real = sample_latencies(args.batch_size)
        fake = G(torch.randn(args.batch_size, 4))

        d_loss = criterion(D(real), real_label) + criterion(D(fake.detach()), fake_label)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()

        g_loss = criterion(D(fake), real_label)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()

        if it % 50 == 0:
            print(f"iter {it:4d} d_loss {d_loss.item():.3f} g_loss {g_loss.item():.3f} "
                  f"fake mean {fake.mean().item():+.2f} std {fake.std().item():.2f}")

    with torch.no_grad():
        s = G(torch.randn(5000, 4))
        r = sample_latencies(5000)
    print(f"final: fake mean {s.mean():+.3f} std {s.std():.3f} | real mean {r.mean():+.3f} std {r.std():.3f}")


if __name__ == "__main__":
    main()
