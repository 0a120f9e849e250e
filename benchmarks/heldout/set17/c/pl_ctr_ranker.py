import argparse

import torch
from torch import nn
import torch.nn.functional as F
import lightning as L


N_USERS = 500
N_ITEMS = 800
N_DENSE = 6


def synth_clicks(n, seed):
    g = torch.Generator().manual_seed(seed)
    users = torch.randint(0, N_USERS, (n,), generator=g)
    items = torch.randint(0, N_ITEMS, (n,), generator=g)
    dense = torch.randn(n, N_DENSE, generator=g)
    u_pref = torch.randn(N_USERS, 8, generator=g)
    i_pref = torch.randn(N_ITEMS, 8, generator=g)
    score = (u_pref[users] * i_pref[items]).sum(1) / 3 + 0.5 * dense[:, 0] - 0.3 * dense[:, 1]
    clicked = (torch.rand(n, generator=g) < torch.sigmoid(score - 1.0)).float()
    return torch.utils.data.TensorDataset(users, items, dense, clicked)


class CTRModel(L.LightningModule):
    def __init__(self, emb_dim=16, hidden=64, lr=1e-3):
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
        z = torch.cat([self.user_emb(users), self.item_emb(items), dense], dim=-1)
        return self.mlp(z).squeeze(-1)

    def training_step(self, batch, batch_idx):
        users, items, dense, clicked = batch
        logits = self(users, items, dense.to(self.dtype))
        loss = F.binary_cross_entropy_with_logits(logits, clicked.to(logits.dtype))
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        users, items, dense, clicked = batch
        logits = self(users, items, dense.to(self.dtype))
        loss = F.binary_cross_entropy_with_logits(logits, clicked.to(logits.dtype))
        acc = ((logits > 0).float() == clicked).float().mean()
        self.log_dict({"val_loss": loss, "val_acc": acc}, prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class PrintLoss(L.Callback):
    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if trainer.global_step % 10 == 0:
            print(f"step {trainer.global_step:4d}  loss {outputs['loss'].item():.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--precision", default="16-true")
    args = ap.parse_args()

    L.seed_everything(7)
    train = synth_clicks(8000, seed=1)
    val = synth_clicks(1000, seed=2)
    train_dl = torch.utils.data.DataLoader(train, batch_size=args.batch_size, shuffle=True)
    val_dl = torch.utils.data.DataLoader(val, batch_size=512)

    model = CTRModel()
    trainer = L.Trainer(
        accelerator="cpu",
        max_epochs=args.epochs,
        precision=args.precision,
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=False,
        callbacks=[PrintLoss()],
    )
    trainer.fit(model, train_dl, val_dl)


if __name__ == "__main__":
    main()
