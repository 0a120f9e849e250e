import torch
import torch.nn.functional as F

torch.manual_seed(29)

n_customers, n_features, n_classes = 3000, 20, 3
X = torch.randn(n_customers, n_features)
w_true = torch.randn(n_features, n_classes)
y = (X @ w_true + 0.5 * torch.randn(n_customers, n_classes)).argmax(1)

layer_sizes = [n_features, 256, 256, 256, n_classes]
params = []
for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
    W = torch.randn(fan_in, fan_out, requires_grad=True)
    b = torch.zeros(fan_out, requires_grad=True)
    params += [W, b]


def forward(x):
    h = x
    for i in range(0, len(params) - 2, 2):
        h = torch.relu(h @ params[i] + params[i + 1])
    return h @ params[-2] + params[-1]


lr = 0.05
batch_size = 100
for epoch in range(5):
    perm = torch.randperm(n_customers)
    for start in range(0, n_customers, batch_size):
        idx = perm[start:start + batch_size]
        logits = forward(X[idx])
        loss = F.cross_entropy(logits, y[idx])
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
    with torch.no_grad():
        acc = (forward(X).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch}  last loss {loss.item():.4f}  train acc {acc:.3f}")
