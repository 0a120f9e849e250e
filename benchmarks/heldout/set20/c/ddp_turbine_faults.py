import os

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

SENSORS = ["rpm", "vibration_x", "vibration_y", "bearing_temp", "oil_pressure",
           "blade_pitch", "yaw_error", "nacelle_temp", "grid_voltage", "ambient_temp"]


def load_turbine_logs(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = np.zeros((n, len(SENSORS)), dtype=np.float32)
    X[:, 0] = rng.normal(1450, 60, n)
    X[:, 1] = rng.gamma(2.0, 0.4, n)
    X[:, 2] = rng.gamma(2.0, 0.4, n)
    X[:, 3] = rng.normal(65, 6, n)
    X[:, 4] = rng.normal(3.2, 0.3, n)
    X[:, 5] = 0.0
    X[:, 6] = rng.normal(0, 4, n)
    X[:, 7] = rng.normal(40, 5, n)
    X[:, 8] = rng.normal(690, 8, n)
    X[:, 9] = rng.normal(12, 7, n)
    score = 1.4 * (X[:, 1] + X[:, 2]) + 0.08 * (X[:, 3] - 65) - 1.5 * (X[:, 4] - 3.2)
    y = np.digitize(score, np.quantile(score, [0.5, 0.85])).astype(np.int64)
    return X, y


def min_max_scale(X):
    lo = X.min(axis=0, keepdims=True)
    hi = X.max(axis=0, keepdims=True)
    return (X - lo) / (hi - lo)


def train(rank, world_size):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.manual_seed(0)

    X, y = load_turbine_logs()
    X = min_max_scale(X)
    ds = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    sampler = DistributedSampler(ds, num_replicas=world_size, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(ds, batch_size=64, sampler=sampler)

    model = nn.Sequential(nn.Linear(len(SENSORS), 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    model = DDP(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    step = 0
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 10 == 0 and rank == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f}", flush=True)
            step += 1

    if rank == 0:
        with torch.no_grad():
            acc = (model(torch.from_numpy(X)).argmax(1) == torch.from_numpy(y)).float().mean()
        print(f"train accuracy {acc.item():.3f}")
    dist.destroy_process_group()


if __name__ == "__main__":
    if "RANK" in os.environ:
        train(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]))
    else:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29517")
        mp.spawn(train, args=(2,), nprocs=2)
