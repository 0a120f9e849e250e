import random

import numpy as np
import torch

rng = np.random.default_rng(0)
n = 506
crim = np.round(rng.lognormal(mean=-1.0, sigma=1.6, size=n).clip(0.006, 88.97), 5)
rm = np.round(rng.normal(6.28, 0.70, size=n).clip(3.56, 8.78), 3)
lstat = np.round(rng.gamma(shape=4.0, scale=3.2, size=n).clip(1.73, 37.97), 2)
medv = (22.5 - 0.55 * (lstat - 12.6) + 4.8 * (rm - 6.28) - 0.1 * (crim - 3.6) + rng.normal(0, 3.0, size=n)).clip(5, 50)

features = torch.tensor(np.stack([lstat, crim, rm], axis=1), dtype=torch.float32)
labels = torch.tensor(medv, dtype=torch.float32).reshape(-1, 1)
print(features[:5])
print(labels[:5])


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


random.seed(0)
torch.manual_seed(0)
w = torch.normal(0, 0.01, size=(3, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)

lr = 0.03
num_epochs = 10
batch_size = 10
net = linreg
loss = squared_loss

for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')

print('w', w.reshape(-1), 'b', b)
