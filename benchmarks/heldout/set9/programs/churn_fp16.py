import torch
from torch import nn
import torch.nn.functional as F

N_CUSTOMERS = 4096
N_FEATURES = 24


def build_customer_table(seed=8):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(N_CUSTOMERS, N_FEATURES, generator=gen)
    w = torch.randn(N_FEATURES, generator=gen) / N_FEATURES ** 0.5
    churn = (x @ w + 0.3 * torch.randn(N_CUSTOMERS, generator=gen) > 0.4).float()
    return x, churn


def main():
    torch.manual_seed(0)
    x, y = build_customer_table()
    n_train = 3584
    x_train, y_train = x[:n_train], y[:n_train]
    x_test, y_test = x[n_train:], y[n_train:]

    # half precision end to end to fit the real table in memory
    model = nn.Sequential(
        nn.Linear(N_FEATURES, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, 1),
    ).half()
    x_train, x_test = x_train.half(), x_test.half()
    y_train, y_test = y_train.half(), y_test.half()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    batch_size = 128
    for epoch in range(5):
        perm = torch.randperm(n_train)
        for i in range(0, n_train, batch_size):
            idx = perm[i:i + batch_size]
            logits = model(x_train[idx]).squeeze(-1)
            loss = F.binary_cross_entropy_with_logits(logits.float(), y_train[idx].float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            test_logits = model(x_test).squeeze(-1).float()
            test_loss = F.binary_cross_entropy_with_logits(test_logits, y_test.float())
            acc = ((test_logits > 0).float() == y_test.float()).float().mean()
        print(f"epoch {epoch}: train loss {loss.item():.4f}  test loss {test_loss.item():.4f}  test acc {acc.item():.3f}")


if __name__ == "__main__":
    main()
