import numpy as np
import torch
import torch.nn as nn


def load_sales(n_stores=30, days=120, seed=3):
    rng = np.random.default_rng(seed)
    rows, targets = [], []
    for store in range(n_stores):
        level = rng.uniform(40, 200)
        promo = rng.random(days) < 0.15
        dow = np.arange(days) % 7
        sales = level * (1 + 0.25 * np.sin(2 * np.pi * dow / 7)) * (1 + 0.4 * promo) + rng.normal(0, 5, days)
        if store in (11, 23):
            sales[rng.integers(30, days - 10)] = 0.0
        sales = np.maximum(sales, 0.0).round()
        for d in range(14, days):
            lags = sales[d - 14:d] / 100.0
            feat = np.concatenate([lags, np.eye(7)[dow[d]], [float(promo[d])]])
            rows.append(feat)
            targets.append(sales[d])
    return np.asarray(rows, dtype=np.float32), np.asarray(targets, dtype=np.float32)


def mape(pred, target):
    return (torch.abs(pred - target) / torch.abs(target)).mean()


def main():
    torch.manual_seed(0)
    X_np, y_np = load_sales()
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    order = torch.randperm(len(X))
    X, y = X[order], y[order]
    model = nn.Sequential(nn.Linear(X.shape[1], 32), nn.Softplus(), nn.Linear(32, 1))
    with torch.no_grad():
        model[2].bias.fill_(100.0)
    opt = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=10, history_size=10, line_search_fn="strong_wolfe")
    batch = 400
    for epoch in range(3):
        for b, start in enumerate(range(0, len(X), batch)):
            xb, yb = X[start:start + batch], y[start:start + batch]

            def closure():
                opt.zero_grad()
                loss = mape(model(xb).squeeze(-1), yb)
                loss.backward()
                return loss

            loss = opt.step(closure)
            print(f"epoch {epoch} batch {b} mape {loss.item():.4f}")


if __name__ == "__main__":
    main()
