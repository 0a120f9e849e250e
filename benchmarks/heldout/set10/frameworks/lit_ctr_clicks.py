import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
import lightning as L

N_USERS = 500
N_ITEMS = 300
N_DENSE = 6


class ClickLogs(Dataset):
    def __init__(self, n=4000, seed=3):
        g = torch.Generator().manual_seed(seed)
        self.users = torch.randint(0, N_USERS, (n,), generator=g)
        self.items = torch.randint(0, N_ITEMS, (n,), generator=g)
        self.dense = torch.randn(n, N_DENSE, generator=g)
        user_taste = torch.randn(N_USERS, generator=g)
        item_pop = torch.randn(N_ITEMS, generator=g)
        score = 4.0 * user_taste[self.users] + 4.0 * item_pop[self.items] + 2.0 * self.dense[:, 0] - 1.0
        self.clicks = (score + 0.3 * torch.randn(n, generator=g) > 0).float()

    def __len__(self):
        return len(self.clicks)

    def __getitem__(self, i):
        return self.users[i], self.items[i], self.dense[i], self.clicks[i]


def weighted_bce(logits, targets, pos_weight=3.0):
    p = torch.sigmoid(logits)
    pos = -pos_weight * targets * torch.log(p)
    neg = -(1 - targets) * torch.log(1 - p)
    return (pos + neg).mean()


class CTRModel(L.LightningModule):
    def __init__(self, emb_dim=16, hidden=64, lr=1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.user_emb = nn.Embedding(N_USERS, emb_dim)
        self.item_emb = nn.Embedding(N_ITEMS, emb_dim)
        self.mlp = nn.Sequential(
            nn.Linear(2 * emb_dim + N_DENSE, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, users, items, dense):
        h = torch.cat([self.user_emb(users), self.item_emb(items), dense], dim=-1)
        return self.mlp(h).squeeze(-1)

    def training_step(self, batch, batch_idx):
        users, items, dense, clicks = batch
        logits = self(users, items, dense)
        loss = weighted_bce(logits, clicks)
        self.log("bce", loss, prog_bar=True)
        if self.global_step % 10 == 0:
            print(f"step {self.global_step:4d} bce {loss.item():.5f} max|logit| {logits.abs().max().item():.2f}")
        return loss

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
        return [opt], [sched]


if __name__ == "__main__":
    L.seed_everything(11)
    data = ClickLogs()
    loader = DataLoader(data, batch_size=128, shuffle=True)
    model = CTRModel()
    trainer = L.Trainer(
        accelerator="cpu",
        precision="bf16-mixed",
        max_epochs=2,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        default_root_dir="/tmp/lit_ctr_clicks",
    )
    trainer.fit(model, loader)
