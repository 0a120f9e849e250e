import argparse

import torch
from torch import nn
import torch.nn.functional as F


def make_activity_windows(n, n_classes, n_feats, gen):
    centers = torch.randn(n_classes, n_feats, generator=gen) * 2.0
    labels = torch.randint(0, n_classes, (n,), generator=gen)
    x = centers[labels] + torch.randn(n, n_feats, generator=gen) * 1.5
    return x, labels


class Encoder(nn.Module):
    def __init__(self, n_in, hidden, emb, n_classes, depth):
        super().__init__()
        layers, d = [], n_in
        for _ in range(depth):
            layers += [nn.Linear(d, hidden), nn.LayerNorm(hidden), nn.GELU()]
            d = hidden
        layers.append(nn.Linear(d, emb))
        self.backbone = nn.Sequential(*layers)
        self.classifier = nn.Linear(emb, n_classes)

    def forward(self, x):
        emb = self.backbone(x)
        return emb, self.classifier(emb)


def pairwise_dist(e):
    sq = e.pow(2).sum(dim=1)
    d2 = sq.unsqueeze(1) + sq.unsqueeze(0) - 2.0 * e @ e.t()
    return d2.sqrt()


def rkd_distance_loss(student_emb, teacher_emb):
    with torch.no_grad():
        t_d = pairwise_dist(teacher_emb)
        t_d = t_d / t_d[t_d > 0].mean()
    s_d = pairwise_dist(student_emb)
    s_d = s_d / s_d[s_d > 0].mean()
    return F.smooth_l1_loss(s_d, t_d)


def iterate(x, y, bs, gen):
    perm = torch.randperm(len(x), generator=gen)
    for i in range(0, len(x) - bs + 1, bs):
        j = perm[i:i + bs]
        yield x[j], y[j]


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        acc = (model(x)[1].argmax(1) == y).float().mean().item()
    model.train()
    return acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teacher-epochs", type=int, default=4)
    ap.add_argument("--student-epochs", type=int, default=6)
    ap.add_argument("--rkd-weight", type=float, default=25.0)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    n_classes, n_feats = 6, 40
    x_all, y_all = make_activity_windows(3072, n_classes, n_feats, gen)
    x_train, y_train = x_all[:2560], y_all[:2560]
    x_test, y_test = x_all[2560:], y_all[2560:]

    teacher = Encoder(n_feats, 256, 64, n_classes, depth=3)
    opt_t = torch.optim.AdamW(teacher.parameters(), lr=1e-3)
    for epoch in range(args.teacher_epochs):
        for xb, yb in iterate(x_train, y_train, args.batch_size, gen):
            _, logits = teacher(xb)
            loss = F.cross_entropy(logits, yb)
            opt_t.zero_grad()
            loss.backward()
            opt_t.step()
        print(f"[teacher] epoch {epoch} loss {loss.item():.4f} test_acc {accuracy(teacher, x_test, y_test):.3f}")

    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)

    student = Encoder(n_feats, 48, 64, n_classes, depth=1)
    opt_s = torch.optim.AdamW(student.parameters(), lr=2e-3)
    step = 0
    for epoch in range(args.student_epochs):
        for xb, yb in iterate(x_train, y_train, args.batch_size, gen):
            with torch.no_grad():
                t_emb, _ = teacher(xb)
            s_emb, s_logits = student(xb)
            ce = F.cross_entropy(s_logits, yb)
            rkd = rkd_distance_loss(s_emb, t_emb)
            loss = ce + args.rkd_weight * rkd
            if torch.isnan(loss):
                raise RuntimeError(f"loss became {loss.item()} at student step {step} (ce={ce.item():.4f}, rkd={rkd.item():.4f})")
            opt_s.zero_grad()
            loss.backward()
            opt_s.step()
            step += 1
        print(f"[student] epoch {epoch} ce {ce.item():.4f} rkd {rkd.item():.4f} test_acc {accuracy(student, x_test, y_test):.3f}")


if __name__ == "__main__":
    main()
