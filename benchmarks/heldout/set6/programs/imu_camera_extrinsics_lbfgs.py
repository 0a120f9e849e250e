import argparse
import math

import torch
import torch.nn.functional as F


def skew(w):
    zero = torch.zeros((), dtype=w.dtype)
    return torch.stack([
        torch.stack([zero, -w[2], w[1]]),
        torch.stack([w[2], zero, -w[0]]),
        torch.stack([-w[1], w[0], zero]),
    ])


def rotation(axis_angle):
    return torch.linalg.matrix_exp(skew(axis_angle))


def make_observations(n_moving=300, n_static=12, yaw_deg=7.5, noise=0.01, seed=0):
    """Direction pairs seen by the IMU and by the camera.

    While the rig is moving we match optical-flow directions; while it is
    standing still both sensors report the gravity direction.
    """
    g = torch.Generator().manual_seed(seed)
    true_R = rotation(torch.tensor([0.0, 0.0, math.radians(yaw_deg)]))
    imu = F.normalize(torch.randn(n_moving, 3, generator=g), dim=1)
    cam = F.normalize(imu @ true_R.T + noise * torch.randn(n_moving, 3, generator=g), dim=1)
    gravity = torch.tensor([[0.0, 0.0, -1.0]]).repeat(n_static, 1)
    return torch.cat([imu, gravity]), torch.cat([cam, gravity]), true_R


def angular_error(pred, target):
    cos = F.cosine_similarity(pred, target, dim=1).clamp(-1.0, 1.0)
    return torch.acos(cos)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iters", type=int, default=15)
    p.add_argument("--lr", type=float, default=1.0)
    args = p.parse_args()

    torch.manual_seed(0)
    imu_dirs, cam_dirs, true_R = make_observations()
    axis_angle = torch.zeros(3, requires_grad=True)  # start from the nominal mounting (identity)
    opt = torch.optim.LBFGS([axis_angle], lr=args.lr, max_iter=20, history_size=10, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        R = rotation(axis_angle)
        loss = angular_error(imu_dirs @ R.T, cam_dirs).mean()
        loss.backward()
        return loss

    for it in range(args.iters):
        loss = opt.step(closure)
        yaw = math.degrees(axis_angle[2].item())
        print(f"iter {it:2d} mean angular error {math.degrees(loss.item()):.4f} deg  yaw estimate {yaw:.3f} deg")

    err = torch.linalg.matrix_norm(rotation(axis_angle.detach()) - true_R).item()
    print(f"final |R - R_true|_F = {err:.5f}")


if __name__ == "__main__":
    main()
