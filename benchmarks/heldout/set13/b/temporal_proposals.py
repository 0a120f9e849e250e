import math
import torch
import torch.nn as nn
from torch.utils.data import IterableDataset, DataLoader

T = 32          # temporal length after rescaling
D = 16          # max proposal duration in the confidence map
FEAT = 24


class SnippetFeatureStream(IterableDataset):
    """Yields (features, start_label, end_label, iou_map) per video."""

    def __init__(self, n_videos=64, seed=0):
        self.n_videos = n_videos
        self.seed = seed

    def _iou_map(self, s, e):
        d = torch.arange(D).view(D, 1).float()
        t = torch.arange(T).view(1, T).float()
        ps, pe = t, t + d + 1
        inter = (torch.minimum(pe, torch.tensor(float(e))) - torch.maximum(ps, torch.tensor(float(s)))).clamp_min(0)
        union = torch.maximum(pe, torch.tensor(float(e))) - torch.minimum(ps, torch.tensor(float(s)))
        iou = inter / union
        return torch.where(pe <= T, iou, torch.zeros_like(iou))

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        for v in range(self.n_videos):
            if v == 11:
                s, e = 2, 30          # one long action covering most of the video
            else:
                length = int(torch.randint(3, 12, (1,), generator=g))
                s = int(torch.randint(0, T - length, (1,), generator=g))
                e = s + length
            feats = 0.3 * torch.randn(FEAT, T, generator=g)
            feats[:, s:e] += 1.0
            tt = torch.arange(T).float()
            start = torch.exp(-0.5 * ((tt - s) / 1.0) ** 2)
            end = torch.exp(-0.5 * ((tt - e) / 1.0) ** 2)
            yield feats, start, end, self._iou_map(s, e)


class BoundaryMatchNet(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.base = nn.Sequential(
            nn.Conv1d(FEAT, hidden, 3, padding=1), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 3, padding=1), nn.ReLU(),
        )
        self.start = nn.Conv1d(hidden, 1, 1)
        self.end = nn.Conv1d(hidden, 1, 1)
        self.proposal = nn.Sequential(
            nn.Conv1d(hidden, hidden, 3, padding=1), nn.ReLU(),
            nn.Conv1d(hidden, D, 1),
        )

    def forward(self, x):
        h = self.base(x)
        start = torch.sigmoid(self.start(h)).squeeze(1)
        end = torch.sigmoid(self.end(h)).squeeze(1)
        conf = torch.sigmoid(self.proposal(h))
        return conf, start, end


def bi_loss(pred_score, gt_label, threshold=0.5):
    pred_score = pred_score.view(-1)
    gt_label = gt_label.view(-1)
    pmask = (gt_label > threshold).float()
    num_entries = len(pmask)
    num_positive = torch.sum(pmask)
    ratio = num_entries / num_positive
    coef_0 = 0.5 * ratio / (ratio - 1)
    coef_1 = 0.5 * ratio
    epsilon = 0.000001
    loss_pos = coef_1 * torch.log(pred_score + epsilon) * pmask
    loss_neg = coef_0 * torch.log(1.0 - pred_score + epsilon) * (1.0 - pmask)
    return -1 * torch.mean(loss_pos + loss_neg)


def tem_loss(pred_start, pred_end, gt_start, gt_end):
    return bi_loss(pred_start, gt_start) + bi_loss(pred_end, gt_end)


def pem_cls_loss(pred_score, gt_iou_map):
    return bi_loss(pred_score, gt_iou_map, threshold=0.9)


def pem_reg_loss(pred_score, gt_iou_map):
    return nn.functional.mse_loss(pred_score, gt_iou_map)


model = BoundaryMatchNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
loader = DataLoader(SnippetFeatureStream(), batch_size=1)

step = 0
for epoch in range(2):
    model.train()
    for feats, gt_start, gt_end, gt_iou in loader:
        conf, start, end = model(feats)
        loss_tem = tem_loss(start, end, gt_start, gt_end)
        loss_cls = pem_cls_loss(conf, gt_iou)
        loss_reg = pem_reg_loss(conf, gt_iou)
        loss = loss_tem + loss_cls + 10.0 * loss_reg
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 8 == 0:
            print(f"BMN training loss(epoch {epoch}): tem_loss: {loss_tem.item():.3f}, "
                  f"pem class_loss: {loss_cls.item():.3f}, pem reg_loss: {loss_reg.item():.3f}, "
                  f"total_loss: {loss.item():.3f}")
        step += 1
