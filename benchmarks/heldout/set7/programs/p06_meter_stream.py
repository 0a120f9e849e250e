import argparse
import io
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import IterableDataset, DataLoader


def export_meter_log(n_rows=2000, seed=0):
    """Mimics the nightly CSV export of smart-meter readings."""
    rng = np.random.default_rng(seed)
    lines = ["temp_c,humidity,hour,weekday,occupancy,kwh"]
    for i in range(n_rows):
        temp = rng.normal(15, 8)
        hum = rng.uniform(20, 90)
        hour = i % 24
        wd = (i // 24) % 7
        occ = rng.integers(0, 40)
        kwh = 2.0 + 0.08 * abs(temp - 18) + 0.05 * occ + (0.6 if 8 <= hour <= 18 else 0.0)
        kwh += rng.normal(0, 0.1)
        fields = [f"{temp:.2f}", f"{hum:.1f}", str(hour), str(wd), str(occ), f"{kwh:.3f}"]
        if i in (777, 1905):
            fields[1] = ""
        lines.append(",".join(fields))
    return "\n".join(lines)


class MeterStream(IterableDataset):
    def __init__(self, csv_text, chunk_rows=500):
        self.csv_text = csv_text
        self.chunk_rows = chunk_rows
        self.mean = np.array([15.0, 55.0, 11.5, 3.0, 20.0])
        self.scale = np.array([8.0, 20.0, 7.0, 2.0, 11.0])

    def __iter__(self):
        buf = io.StringIO(self.csv_text)
        header = buf.readline()
        while True:
            lines = [buf.readline() for _ in range(self.chunk_rows)]
            lines = [l for l in lines if l.strip()]
            if not lines:
                break
            arr = np.genfromtxt(io.StringIO(header + "".join(lines)), delimiter=",", skip_header=1)
            arr = np.atleast_2d(arr)
            feats = (arr[:, :5] - self.mean) / self.scale
            for row, target in zip(feats, arr[:, 5]):
                yield torch.tensor(row, dtype=torch.float32), torch.tensor([target], dtype=torch.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=1)
    args = p.parse_args()

    torch.manual_seed(0)
    ds = MeterStream(export_meter_log())
    loader = DataLoader(ds, batch_size=args.batch_size)
    model = nn.Sequential(nn.Linear(5, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.SmoothL1Loss()

    step = 0
    for epoch in range(args.epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}")
            step += 1
    print("done")


if __name__ == "__main__":
    main()
