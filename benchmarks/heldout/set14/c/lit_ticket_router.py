import torch
from torch import nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, Dataset

VOCAB_SIZE = 2000
SEQ_LEN = 16
N_QUEUES = 5


class SupportTickets(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.queue = torch.randint(0, N_QUEUES, (n,), generator=g)
        base = torch.randint(1, VOCAB_SIZE, (n, SEQ_LEN), generator=g)
        keyword = 1 + self.queue * 7 + torch.randint(0, 7, (n, 4), generator=g).T
        base[:, :4] = keyword.T
        self.tokens = base

    def __len__(self):
        return len(self.queue)

    def __getitem__(self, i):
        return self.tokens[i], self.queue[i]


class TicketRouter(L.LightningModule):
    def __init__(self, dim=48, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.Embedding(VOCAB_SIZE, dim, padding_idx=0)
        self.head = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, N_QUEUES))

    def forward(self, tokens):
        return self.head(self.embed(tokens).mean(dim=1))

    def training_step(self, batch, batch_idx):
        tokens, queue = batch
        logits = self(tokens)
        loss = F.cross_entropy(logits.float(), queue)
        if batch_idx % 5 == 0:
            print(f"step {self.global_step:3d} loss {loss.item():.4f}")
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(21, verbose=False)
    loader = DataLoader(SupportTickets(1024, seed=21), batch_size=32, shuffle=True)
    trainer = L.Trainer(accelerator="cpu", precision="16-true", max_steps=30,
                        enable_checkpointing=False, logger=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(TicketRouter(), loader)


if __name__ == "__main__":
    main()
