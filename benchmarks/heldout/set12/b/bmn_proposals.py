import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

TSCALE = 16   # temporal positions per video (snippet features)
DSCALE = 8    # max proposal duration in snippets
FEAT_DIM = 32


def iou_with_segments(start, end, segments):
    best = 0.0
    for s, e in segments:
        inter = max(0.0, min(end, e) - max(start, s))
        union = max(end, e) - min(start, s)
        best = max(best, inter / union)
    return best


class ActivityClips(Dataset):
    def __init__(self, n_videos=40, seed=5):
        g = torch.Generator().manual_seed(seed)
        self.feats, self.iou_maps, self.start_lbl, self.end_lbl = [], [], [], []
        for v in range(n_videos):
            n_actions = int(torch.randint(1, 3, (1,), generator=g))
            segments = []
            for _ in range(n_actions):
                length = int(torch.randint(2, 7, (1,), generator=g))
                if v % 5 == 3:
                    length = int(torch.randint(10, 14, (1,), generator=g))
                s = int(torch.randint(0, TSCALE - length + 1, (1,), generator=g))
                segments.append((s, s + length))
            feat = 0.3 * torch.randn(FEAT_DIM, TSCALE, generator=g)
            for s, e in segments:
                feat[: FEAT_DIM // 2, s:e] += 1.0
            iou_map = torch.zeros(DSCALE, TSCALE)
            for d in range(DSCALE):
                for t in range(TSCALE):
                    if t + d + 1 <= TSCALE:
                        iou_map[d, t] = iou_with_segments(t, t + d + 1, segments)
            start = torch.zeros(TSCALE)
            end = torch.zeros(TSCALE)
            for s, e in segments:
                start[s] = 1.0
                end[min(e, TSCALE) - 1] = 1.0
            self.feats.append(feat)
            self.iou_maps.append(iou_map)
            self.start_lbl.append(start)
            self.end_lbl.append(end)

    def __len__(self):
        return len(self.feats)

    def __getitem__(self, i):
        return self.feats[i], self.iou_maps[i], self.start_lbl[i], self.end_lbl[i]


def valid_proposal_mask():
    mask = torch.zeros(DSCALE, TSCALE)
    for d in range(DSCALE):
        for t in range(TSCALE):
            if t + d + 1 <= TSCALE:
                mask[d, t] = 1.0
    return mask


class TinyBMN(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.base = nn.Sequential(nn.Conv1d(FEAT_DIM, hidden, 3, padding=1), nn.ReLU(),
                                  nn.Conv1d(hidden, hidden, 3, padding=1), nn.ReLU())
        self.tem = nn.Conv1d(hidden, 2, 1)
        self.pem = nn.Sequential(nn.Conv2d(2 * hidden, hidden, 3, padding=1), nn.ReLU(),
                                 nn.Conv2d(hidden, 2, 1))

    def forward(self, x):
        h = self.base(x)
        tem = torch.sigmoid(self.tem(h))
        # boundary-matching map: pair start features with duration-shifted end features
        maps = []
        for d in range(DSCALE):
            shifted = F.pad(h[:, :, d:], (0, d))
            maps.append(torch.cat([h, shifted], dim=1))
        bm = torch.stack(maps, dim=2)
        conf = torch.sigmoid(self.pem(bm))
        return conf, tem[:, 0], tem[:, 1]


def bi_loss(pred, gt):
    pmask = (gt > 0.5).float()
    num_entries = pmask.numel()
    num_positive = torch.sum(pmask).clamp(min=1)
    ratio = num_entries / num_positive
    coef_0 = 0.5 * ratio / (ratio - 1)
    coef_1 = 0.5 * ratio
    eps = 1e-6
    loss = coef_1 * pmask * torch.log(pred + eps) + coef_0 * (1 - pmask) * torch.log(1 - pred + eps)
    return -torch.mean(loss)


def pem_reg_loss(pred, gt_iou_map, mask):
    return F.mse_loss(pred * mask, gt_iou_map * mask)


def pem_cls_loss(pred_score, gt_iou_map, mask):
    pmask = (gt_iou_map > 0.9).float()
    nmask = (gt_iou_map <= 0.9).float() * mask
    num_positive = torch.sum(pmask)
    num_entries = num_positive + torch.sum(nmask)
    ratio = num_entries / num_positive
    coef_0 = 0.5 * ratio / (ratio - 1)
    coef_1 = 0.5 * ratio
    eps = 1e-6
    loss_pos = coef_1 * torch.log(pred_score + eps) * pmask
    loss_neg = coef_0 * torch.log(1.0 - pred_score + eps) * nmask
    return -torch.sum(loss_pos + loss_neg) / num_entries


def bmn_loss(conf, pred_start, pred_end, gt_iou_map, gt_start, gt_end, mask):
    gt_iou_map = gt_iou_map * mask
    reg = pem_reg_loss(conf[:, 0], gt_iou_map, mask)
    cls = pem_cls_loss(conf[:, 1], gt_iou_map, mask)
    tem = bi_loss(pred_start, gt_start) + bi_loss(pred_end, gt_end)
    return tem + 10 * reg + cls, tem, reg, cls


def main():
    torch.manual_seed(0)
    train_set = ActivityClips(n_videos=40, seed=5)
    val_set = ActivityClips(n_videos=10, seed=6)
    train_loader = DataLoader(train_set, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(1))
    val_loader = DataLoader(val_set, batch_size=10)
    mask = valid_proposal_mask()

    model = TinyBMN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.1)

    step = 0
    for epoch in range(2):
        model.train()
        for feats, iou_map, start, end in train_loader:
            conf, ps, pe = model(feats)
            loss, tem, reg, cls = bmn_loss(conf, ps, pe, iou_map, start, end, mask)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            scheduler.step()
            if step % 5 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.4f} tem {tem.item():.4f} "
                      f"reg {reg.item():.4f} cls {cls.item():.4f}")
            step += 1
        model.eval()
        with torch.no_grad():
            for feats, iou_map, start, end in val_loader:
                conf, ps, pe = model(feats)
                vloss = bmn_loss(conf, ps, pe, iou_map, start, end, mask)[0]
        print(f"epoch {epoch} val loss {vloss.item():.4f}")


if __name__ == "__main__":
    main()
