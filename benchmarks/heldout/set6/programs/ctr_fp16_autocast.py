import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

N_USERS, N_ADS, N_SLOTS = 400, 120, 6


def click_log(n=40000, seed=0):
    g = torch.Generator().manual_seed(seed)
    user = torch.randint(0, N_USERS, (n,), generator=g)
    ad = torch.randint(0, N_ADS, (n,), generator=g)
    slot = torch.randint(0, N_SLOTS, (n,), generator=g)
    dense = torch.randn(n, 4, generator=g)
    u_bias = torch.randn(N_USERS, generator=g) * 2.5
    a_bias = torch.randn(N_ADS, generator=g) * 2.0
    logit = -1.0 + u_bias[user] + a_bias[ad] - 0.4 * slot + 0.5 * dense[:, 0]
    clicked = (torch.rand(n, generator=g) < torch.sigmoid(logit)).float()
    return user, ad, slot, dense, clicked


class CTRModel(nn.Module):
    def __init__(self, d=16):
        super().__init__()
        self.user = nn.Embedding(N_USERS, d)
        self.ad = nn.Embedding(N_ADS, d)
        self.slot = nn.Embedding(N_SLOTS, d)
        self.mlp = nn.Sequential(nn.Linear(3 * d + 4, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, user, ad, slot, dense):
        h = torch.cat([self.user(user), self.ad(ad), self.slot(slot), dense], dim=1)
        return torch.sigmoid(self.mlp(h)).squeeze(1)


def log_loss(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--lr", type=float, default=5e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    data = TensorDataset(*click_log())
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True, generator=torch.Generator().manual_seed(0))
    model = CTRModel()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    step = 0
    stop = False
    for epoch in range(args.epochs):
        for user, ad, slot, dense, y in loader:
            with torch.autocast("cpu", dtype=torch.float16):
                p = model(user, ad, slot, dense)
                loss = log_loss(p, y)
            if not torch.isfinite(loss):
                print(f"non-finite loss {loss.item()} at step {step}, aborting run")
                stop = True
                break
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 20 == 0:
                print(f"epoch {epoch} step {step:4d} logloss {loss.item():.4f}")
            step += 1
        if stop:
            break
    print("training finished" if not stop else "training aborted")


if __name__ == "__main__":
    main()
