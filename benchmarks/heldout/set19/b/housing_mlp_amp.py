import argparse
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n=4096, d=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    w = torch.randn(d, 1, generator=g) / d ** 0.5
    y = x @ w + 0.3 * torch.sin(3 * x[:, :1]) + 0.05 * torch.randn(n, 1, generator=g)
    return TensorDataset(x, y)


class Regressor(nn.Module):
    def __init__(self, d_in, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)


def train(args):
    torch.manual_seed(args.seed)
    ds = make_data()
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = Regressor(ds.tensors[0].shape[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")
    criterion = nn.MSELoss()

    step = 0
    for epoch in range(args.epochs):
        model.train()
        for i, (xb, yb) in enumerate(loader):
            with torch.autocast("cpu", dtype=torch.float16):
                pred = model(xb)
                loss = criterion(pred.float(), yb) / args.accum
            scaler.scale(loss).backward()
            if (i + 1) % args.accum == 0:
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                if step % 5 == 0:
                    print(f"epoch {epoch} step {step} loss {loss.item() * args.accum:.5f}")
                step += 1
        model.eval()
        with torch.no_grad():
            x, y = ds.tensors
            val = criterion(model(x[:512]), y[:512]).item()
        print(f"epoch {epoch} val_mse {val:.5f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--accum", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    train(p.parse_args())
