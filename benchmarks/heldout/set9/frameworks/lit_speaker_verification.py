import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader
import lightning as L


class UtteranceFeatures(Dataset):
    def __init__(self, n_speakers=16, per_speaker=24, n_mfcc=40, seed=0):
        g = torch.Generator().manual_seed(seed)
        centers = torch.randn(n_speakers, n_mfcc, generator=g) * 2.0
        feats, labels = [], []
        for spk in range(n_speakers):
            feats.append(centers[spk] + torch.randn(per_speaker, n_mfcc, generator=g))
            labels.append(torch.full((per_speaker,), spk, dtype=torch.long))
        self.x = torch.cat(feats)
        self.y = torch.cat(labels)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def pairwise_distances(emb):
    sq = (emb * emb).sum(dim=1, keepdim=True)
    d2 = sq + sq.t() - 2.0 * emb @ emb.t()
    return d2.sqrt()


def batch_hard_triplet_loss(emb, labels, margin=0.3):
    dist = pairwise_distances(emb)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    hardest_pos = (dist * same.float()).max(dim=1).values
    hardest_neg = (dist + 1e4 * same.float()).min(dim=1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


class SpeakerEncoder(L.LightningModule):
    def __init__(self, n_mfcc=40, hidden=128, emb_dim=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_mfcc, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, emb_dim),
        )

    def forward(self, x):
        return F.normalize(self.net(x), dim=1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = batch_hard_triplet_loss(self(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(0)
    ds = UtteranceFeatures()
    loader = DataLoader(ds, batch_size=32, shuffle=True, num_workers=0)
    model = SpeakerEncoder()
    trainer = L.Trainer(accelerator="cpu", devices=1, max_steps=60, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, loader)
    print("final loss", trainer.callback_metrics.get("train_loss"))


if __name__ == "__main__":
    main()
