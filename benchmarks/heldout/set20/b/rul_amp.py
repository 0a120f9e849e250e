import argparse
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def build_engine_data(n_units=40, cycles=120, n_sensors=14, window=30, seed=0):
    g = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for u in range(n_units):
        life = int(torch.randint(cycles, cycles * 3, (1,), generator=g))
        t = torch.arange(life, dtype=torch.float32)
        wear = (t / life) ** 2
        base = torch.randn(n_sensors, generator=g)
        sens = base[None] + wear[:, None] * torch.randn(n_sensors, generator=g)[None] \
            + 0.05 * torch.randn(life, n_sensors, generator=g)
        for end in range(window, life, 7):
            xs.append(sens[end - window:end])
            ys.append(float(life - end))
    X = torch.stack(xs)
    y = torch.tensor(ys).clamp(max=125.0)
    return X, y


class RULNet(nn.Module):
    def __init__(self, n_sensors=14, window=30, hidden=128):
        super().__init__()
        self.step_proj = nn.Linear(n_sensors, 32)
        self.head = nn.Sequential(
            nn.Linear(32 * window, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        h = torch.relu(self.step_proj(x)).flatten(1)
        return self.head(h).squeeze(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--accum", type=int, default=4)
    ap.add_argument("--max-norm", type=float, default=1.0)
    args = ap.parse_args()

    torch.manual_seed(0)
    X, y = build_engine_data()
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    model = RULNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler("cpu")
    criterion = nn.MSELoss()

    update = 0
    for epoch in range(args.epochs):
        optimizer.zero_grad()
        for i, (xb, yb) in enumerate(loader):
            with torch.autocast("cpu", dtype=torch.float16):
                pred = model(xb)
                loss = criterion(pred.float(), yb) / args.accum
            scaler.scale(loss).backward()
            if (i + 1) % args.accum == 0:
                scaler.unscale_(optimizer)
                gn = torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_norm)
                optimizer.step()
                scaler.update()
                optimizer.zero_grad()
                if update % 10 == 0:
                    print(f"epoch {epoch} update {update} loss {loss.item() * args.accum:.3f} grad_norm {gn.item():.3f} scale {scaler.get_scale():.0f}")
                update += 1
        print(f"epoch {epoch} done, last loss {loss.item() * args.accum:.3f}")


if __name__ == "__main__":
    main()
