import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

# 16-QAM constellation, clean channel: the decoder should become (almost) perfectly confident
LEVELS = torch.tensor([-3.0, -1.0, 1.0, 3.0])
CONSTELLATION = torch.stack(torch.meshgrid(LEVELS, LEVELS, indexing="ij"), -1).reshape(-1, 2)


def received_symbols(n=2560, snr_db=40.0, seed=12):
    g = torch.Generator().manual_seed(seed)
    sym = torch.randint(0, 16, (n,), generator=g)
    noise_std = (CONSTELLATION.pow(2).sum(1).mean() / 10 ** (snr_db / 10)).sqrt()
    iq = CONSTELLATION[sym] + noise_std * torch.randn(n, 2, generator=g)
    return iq, sym


class SymbolDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 16))

    def forward(self, iq):
        return self.net(iq)


def nll(logits, target):
    # log-softmax written out with logsumexp
    log_norm = torch.logsumexp(logits, dim=1)
    return (log_norm - logits.gather(1, target[:, None]).squeeze(1)).mean()


def main():
    torch.manual_seed(0)
    iq, sym = received_symbols()
    train_loader = DataLoader(TensorDataset(iq[:2048], sym[:2048]), batch_size=256, shuffle=True,
                              generator=torch.Generator().manual_seed(0))
    test_iq, test_sym = iq[2048:], sym[2048:]

    model = SymbolDecoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-2)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[30], gamma=0.5)

    for epoch in range(40):
        for xb, yb in train_loader:
            logits = model(xb)
            loss = nll(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        if epoch % 10 == 9:
            with torch.no_grad():
                test_logits = model(test_iq)
                ser = (test_logits.argmax(1) != test_sym).float().mean().item()
                margin = (test_logits.max(1).values - test_logits.topk(2, 1).values[:, 1]).min().item()
            print(f"epoch {epoch} loss {loss.item():.3e} max |logit| {logits.abs().max().item():.1f} "
                  f"min margin {margin:.1f} SER {ser:.4f}")


if __name__ == "__main__":
    main()
