import torch
from torch import nn
from torch.utils.data import Dataset, DataLoader


class StoreDemand(Dataset):
    def __init__(self, n=4096, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, 24, generator=g)
        w = torch.randn(24, generator=g)
        self.y = 40.0 + 12.0 * torch.tanh(self.x @ w / 4) + 3.0 * torch.randn(n, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=128, epochs=5, log_every=8):
        self.model = model
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
        self.scaler = torch.amp.GradScaler("cpu")
        self.batch_size = batch_size
        self.epochs = epochs
        self.log_every = log_every
        self.global_step = 0

    def training_step(self, batch):
        x, y = batch
        with torch.autocast("cpu", dtype=torch.float16):
            pred = self.model(x).squeeze(-1)
            loss = ((pred.float() - y) ** 2).sum()
        return loss

    def fit(self, dataset):
        loader = DataLoader(dataset, batch_size=self.batch_size, shuffle=True, drop_last=True)
        for epoch in range(self.epochs):
            for batch in loader:
                self.optimizer.zero_grad(set_to_none=True)
                loss = self.training_step(batch)
                self.scaler.scale(loss).backward()
                self.scaler.unscale_(self.optimizer)
                grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1e4)
                scale_before = self.scaler.get_scale()
                self.scaler.step(self.optimizer)
                self.scaler.update()
                if self.global_step % self.log_every == 0 or self.scaler.get_scale() < scale_before:
                    print(f"epoch {epoch} step {self.global_step} loss/sample {loss.item() / len(batch[1]):.3f} "
                          f"grad_norm {grad_norm.item():.1f} scale {scale_before:.0f}")
                self.global_step += 1


if __name__ == "__main__":
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(24, 128), nn.GELU(), nn.Linear(128, 128), nn.GELU(), nn.Linear(128, 1))
    Trainer(model, lr=3e-3).fit(StoreDemand())
