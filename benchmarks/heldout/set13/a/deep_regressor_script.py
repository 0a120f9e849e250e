import torch
import torch.nn.functional as F

torch.manual_seed(0)

n_samples, n_in, width, depth = 1024, 32, 1024, 20
X = torch.randn(n_samples, n_in)
true_w = torch.randn(n_in, 1) / n_in ** 0.5
Y = torch.sin(X @ true_w) + 0.05 * torch.randn(n_samples, 1)

weights = [torch.randn(n_in, width, requires_grad=True)]
biases = [torch.zeros(width, requires_grad=True)]
for _ in range(depth - 1):
    weights.append(torch.randn(width, width, requires_grad=True))
    biases.append(torch.zeros(width, requires_grad=True))
w_out = torch.randn(width, 1, requires_grad=True)
b_out = torch.zeros(1, requires_grad=True)

params = weights + biases + [w_out, b_out]
optimizer = torch.optim.SGD(params, lr=1e-3, momentum=0.9)

batch_size = 128
for epoch in range(3):
    perm = torch.randperm(n_samples)
    for start in range(0, n_samples, batch_size):
        idx = perm[start:start + batch_size]
        h = X[idx]
        for W, b in zip(weights, biases):
            h = F.relu(h @ W + b)
        out = h @ w_out + b_out
        loss = F.mse_loss(out, Y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4e}")
