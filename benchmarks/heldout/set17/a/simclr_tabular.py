import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def augment(x, noise=0.1, drop=0.2):
    keep = (torch.rand_like(x) > drop).float()
    return x * keep + noise * torch.randn_like(x)


def contrastive_loss(z1, z2, temperature=0.1):
    z = torch.cat([z1, z2], dim=0)
    n = z1.shape[0]
    sim = z @ z.t() / temperature
    exp_sim = torch.exp(sim)
    self_mask = torch.eye(2 * n, dtype=torch.bool)
    denom = exp_sim.masked_fill(self_mask, 0.0).sum(dim=1)
    pos_idx = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    pos = exp_sim[torch.arange(2 * n), pos_idx]
    return -torch.log(pos / denom).mean()


class Encoder(nn.Module):
    def __init__(self, n_in, hidden=256, out=32):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(),
                                      nn.Linear(hidden, hidden), nn.ReLU())
        self.projector = nn.Sequential(nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden),
                                       nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x):
        return self.projector(self.backbone(x))


class Trainer:
    def __init__(self, model, loader, lr=1e-3, epochs=10, log_every=10):
        self.model = model
        self.loader = loader
        self.epochs = epochs
        self.log_every = log_every
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        self.global_step = 0
        self.history = []

    def training_step(self, batch):
        (x,) = batch
        z1 = self.model(augment(x))
        z2 = self.model(augment(x))
        return contrastive_loss(z1, z2)

    def fit(self):
        self.model.train()
        for epoch in range(self.epochs):
            for batch in self.loader:
                loss = self.training_step(batch)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.history.append(loss.item())
                if self.global_step % self.log_every == 0:
                    print(f"epoch {epoch} step {self.global_step:4d}  loss {loss.item():.4f}")
                self.global_step += 1
        return self.history


def main():
    torch.manual_seed(0)
    n_rows, n_cols = 2048, 24
    centers = torch.randn(6, n_cols) * 2
    rows = centers[torch.randint(0, 6, (n_rows,))] + 0.5 * torch.randn(n_rows, n_cols)
    loader = DataLoader(TensorDataset(rows), batch_size=128, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    trainer = Trainer(Encoder(n_cols), loader, lr=1e-3, epochs=5)
    history = trainer.fit()
    print("final loss", history[-1])


if __name__ == "__main__":
    main()
