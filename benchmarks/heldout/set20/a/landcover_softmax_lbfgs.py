import numpy as np
import torch

# multinomial logistic regression on per-pixel surface reflectance (percent) (4 land-cover classes)
rng = np.random.default_rng(11)
torch.manual_seed(11)

N_PER_CLASS = 300
BANDS = 6
CLASSES = ["water", "forest", "cropland", "urban"]

centers = rng.uniform(5.0, 60.0, size=(len(CLASSES), BANDS))
pixels, labels = [], []
for k in range(len(CLASSES)):
    pixels.append(centers[k] + rng.normal(0.0, 8.0, size=(N_PER_CLASS, BANDS)))
    labels.append(np.full(N_PER_CLASS, k))
pixels = np.concatenate(pixels)
labels = np.concatenate(labels)

order = rng.permutation(len(pixels))
pixels, labels = pixels[order], labels[order]
n_train = int(0.75 * len(pixels))

X = torch.tensor(pixels[:n_train], dtype=torch.float32)
y = torch.tensor(labels[:n_train], dtype=torch.long)
X_test = torch.tensor(pixels[n_train:], dtype=torch.float32)
y_test = torch.tensor(labels[n_train:], dtype=torch.long)

W = torch.zeros(BANDS, len(CLASSES), requires_grad=True)
b = torch.zeros(len(CLASSES), requires_grad=True)


def softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=1, keepdim=True)


def nll(probs, target):
    picked = probs[torch.arange(len(target)), target]
    return -torch.log(picked + 1e-12).mean()


optimizer = torch.optim.LBFGS([W, b], lr=1.0, max_iter=20, history_size=10)

for it in range(15):
    def closure():
        optimizer.zero_grad()
        probs = softmax(X @ W + b)
        loss = nll(probs, y)
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    with torch.no_grad():
        probs_test = softmax(X_test @ W + b)
        acc = (probs_test.argmax(1) == y_test).float().mean().item()
        wnorm = W.norm().item()
    print(f"iter {it:2d}  loss {loss.item():.6f}  |W| {wnorm:.2f}  test acc {acc:.3f}")
