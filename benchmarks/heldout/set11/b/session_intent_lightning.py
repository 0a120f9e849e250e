import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset

N_EVENTS = 40
MAX_LEN = 24


class ClickSessions(Dataset):
    def __init__(self, n=640, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.lengths = torch.randint(1, MAX_LEN + 1, (n,), generator=g)
        self.events = torch.randint(1, N_EVENTS, (n, MAX_LEN), generator=g)
        self.labels = torch.zeros(n, dtype=torch.long)
        for i in range(n):
            L_ = int(self.lengths[i])
            self.events[i, L_:] = 0
            self.labels[i] = int(self.events[i, L_ - 1] % 3)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.events[i], self.lengths[i], self.labels[i]


class AttentivePooling(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.score = nn.Linear(dim, 1)

    def forward(self, h, pad_mask):
        scores = self.score(h).squeeze(-1)
        scores = scores.masked_fill(pad_mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.einsum("bt,btd->bd", weights, h)


class SessionIntentModel(L.LightningModule):
    def __init__(self, dim=48, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.emb = nn.Embedding(N_EVENTS, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, dim, 3, padding=2)
        self.pool = AttentivePooling(dim)
        self.cls = nn.Linear(dim, 3)

    def forward(self, events, lengths):
        h = torch.relu(self.conv(self.emb(events).transpose(1, 2))[..., :events.size(1)]).transpose(1, 2)
        pad_mask = torch.arange(events.size(1))[None, :] >= lengths[:, None]
        return self.cls(self.pool(h, pad_mask))

    def training_step(self, batch, batch_idx):
        events, lengths, labels = batch
        logp = F.log_softmax(self(events, lengths), dim=-1)
        loss = F.nll_loss(logp, labels)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        events, lengths, labels = batch
        logits = self(events, lengths)
        self.log("val_acc", (logits.argmax(-1) == labels).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=40, gamma=0.5)
        return [opt], [sched]


if __name__ == "__main__":
    L.seed_everything(0)
    data = ClickSessions()
    train_set, val_set = torch.utils.data.random_split(data, [512, 128], generator=torch.Generator().manual_seed(0))
    trainer = L.Trainer(max_epochs=3, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        gradient_clip_val=1.0, log_every_n_steps=7)
    trainer.fit(SessionIntentModel(), DataLoader(train_set, batch_size=32, shuffle=True),
                DataLoader(val_set, batch_size=128))
