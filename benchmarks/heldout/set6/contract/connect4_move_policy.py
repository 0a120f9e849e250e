import torch
from torch import nn
import torch.nn.functional as F

ROWS, COLS = 6, 7
N_POSITIONS = 1500


class PolicyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Linear(32 * ROWS * COLS, COLS)

    def forward(self, board):
        return self.head(self.conv(board).flatten(1))


def build_model():
    return PolicyNet()


def _random_positions(g):
    boards = torch.zeros(N_POSITIONS, 3, ROWS, COLS)
    heights = torch.zeros(N_POSITIONS, COLS, dtype=torch.long)
    for i in range(N_POSITIONS):
        n_moves = int(torch.randint(0, 30, (1,), generator=g))
        player = 0
        for _ in range(n_moves):
            open_cols = torch.nonzero(heights[i] < ROWS).squeeze(1)
            if open_cols.numel() <= 1:
                break
            c = int(open_cols[torch.randint(0, open_cols.numel(), (1,), generator=g)])
            boards[i, player, ROWS - 1 - heights[i, c], c] = 1.0
            heights[i, c] += 1
            player = 1 - player
        boards[i, 2] = float(player)
    return boards, heights


def build_dataset():
    g = torch.Generator().manual_seed(90)
    boards, heights = _random_positions(g)
    legal = heights < ROWS
    # "expert" move: the legal column closest to the centre, ties to the left
    centre_dist = (torch.arange(COLS) - COLS // 2).abs().float()
    pref = centre_dist.expand(N_POSITIONS, -1).masked_fill(~legal, 99.0)
    expert = pref.argmin(dim=1)
    return torch.utils.data.TensorDataset(boards, legal, expert)


def compute_loss(model, batch):
    board, legal, move = batch
    logits = model(board)
    logits = logits.masked_fill(~legal, float("-inf"))
    logp = F.log_softmax(logits, dim=-1)
    return F.nll_loss(logp, move)


NANWIZ = {"lr": 1e-3, "batch_size": 64, "steps": 200, "seed": 0}
