import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def make_glyphs(n, seed):
    g = torch.Generator().manual_seed(seed)
    protos = torch.randn(10, 64, generator=torch.Generator().manual_seed(99))
    y = torch.randint(0, 10, (n,), generator=g)
    x = protos[y] + 0.8 * torch.randn(n, 64, generator=g)
    return TensorDataset(x, y)


class Trainer:
    def __init__(self, model, lr=1e-3, epochs=3, batch_size=128):
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        self.scaler = torch.amp.GradScaler("cpu")
        self.history = []

    def train_step(self, x, y):
        self.optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.float16):
            logits = self.model(x)
            loss = F.cross_entropy(logits, y, reduction="sum")
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)
        grad_norm = nn.utils.clip_grad_norm_(self.model.parameters(), 50.0)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return loss.item() / len(y), grad_norm.item()

    @torch.no_grad()
    def evaluate(self, dataset):
        self.model.eval()
        correct, total, loss_sum = 0, 0, 0.0
        for x, y in DataLoader(dataset, batch_size=512):
            logits = self.model(x)
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
        self.model.train()
        return loss_sum / total, correct / total

    def fit(self, train_set, val_set):
        loader = DataLoader(train_set, batch_size=self.batch_size, shuffle=True)
        step = 0
        for epoch in range(self.epochs):
            for x, y in loader:
                loss, gnorm = self.train_step(x, y)
                if step < 8 or step % 20 == 0:
                    print(f"step {step:3d}  loss {loss:.4f}  grad_norm {gnorm:.3e}  scale {self.scaler.get_scale():.0f}")
                step += 1
            val_loss, val_acc = self.evaluate(val_set)
            self.history.append((val_loss, val_acc))
            print(f"epoch {epoch}  val_loss {val_loss:.4f}  val_acc {val_acc:.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    Trainer(net).fit(make_glyphs(4096, 1), make_glyphs(1024, 2))
