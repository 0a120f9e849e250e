import torch

torch.manual_seed(5)

VOCAB, TOPICS, DOCS = 300, 6, 3000


def synth_corpus():
    topic_word = torch.softmax(3.0 * torch.randn(TOPICS, VOCAB), dim=1)
    labels = torch.randint(0, TOPICS, (DOCS,))
    lengths = torch.randint(80, 400, (DOCS,))
    words = torch.multinomial(topic_word[labels], 400, replacement=True)
    keep = (torch.arange(400)[None, :] < lengths[:, None]).float()
    counts = torch.zeros(DOCS, VOCAB).scatter_add_(1, words, keep)
    return counts, labels


def softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=1, keepdim=True)


counts, labels = synth_corpus()
n_train = 2400
X_train, y_train = counts[:n_train], labels[:n_train]
X_val, y_val = counts[n_train:], labels[n_train:]

W = torch.zeros(VOCAB, TOPICS, requires_grad=True)
b = torch.zeros(TOPICS, requires_grad=True)
opt = torch.optim.SGD([W, b], lr=0.05, momentum=0.9)
batch_size = 48

step = 0
for epoch in range(3):
    perm = torch.randperm(n_train)
    for i in range(0, n_train, batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = X_train[idx], y_train[idx]
        probs = softmax(xb @ W + b)
        loss = -torch.log(probs[torch.arange(len(yb)), yb]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            print(f"epoch {epoch} step {step:3d}  loss {loss.item():.4f}")
        step += 1
    with torch.no_grad():
        acc = (softmax(X_val @ W + b).argmax(1) == y_val).float().mean()
    print(f"epoch {epoch} val acc {acc:.3f}")
