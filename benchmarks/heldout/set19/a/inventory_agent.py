import argparse
import random
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class InventoryEnv:
    """Single-product store: each day choose how many pallets to order."""

    def __init__(self, seed=0, max_stock=20, horizon=60):
        self.rng = np.random.default_rng(seed)
        self.max_stock = max_stock
        self.horizon = horizon
        self.price, self.unit_cost, self.holding, self.order_fee = 30.0, 12.0, 0.5, 8.0

    def _obs(self):
        dow = self.day % 7
        return np.array([self.stock / self.max_stock, np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7),
                         self.day / self.horizon], dtype=np.float32)

    def reset(self):
        self.stock, self.day = 10, 0
        return self._obs()

    def step(self, action):
        order = 2 * action
        self.stock = min(self.stock + order, self.max_stock)
        mean_demand = 6 + 3 * np.sin(2 * np.pi * (self.day % 7) / 7)
        demand = self.rng.poisson(mean_demand)
        sold = min(demand, self.stock)
        self.stock -= sold
        reward = self.price * sold - self.unit_cost * order - self.holding * self.stock - (self.order_fee if order else 0.0)
        self.day += 1
        return self._obs(), float(reward), self.day >= self.horizon


class QNet(nn.Module):
    def __init__(self, n_obs, n_act):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_obs, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, n_act))

    def forward(self, x):
        return self.net(x)


def boltzmann(q, temperature):
    weights = torch.exp(q / temperature)
    return weights / weights.sum(dim=-1, keepdim=True)


class Replay:
    def __init__(self, cap):
        self.cap, self.buf, self.pos = cap, [], 0

    def push(self, *tr):
        if len(self.buf) < self.cap:
            self.buf.append(tr)
        else:
            self.buf[self.pos] = tr
        self.pos = (self.pos + 1) % self.cap

    def sample(self, n):
        batch = random.sample(self.buf, n)
        s, a, r, s2, d = zip(*batch)
        return (torch.tensor(np.array(s)), torch.tensor(a), torch.tensor(r, dtype=torch.float32),
                torch.tensor(np.array(s2)), torch.tensor(d, dtype=torch.float32))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--episodes", type=int, default=30)
    p.add_argument("--gamma", type=float, default=0.97)
    p.add_argument("--temperature", type=float, default=2.0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--target-sync", type=int, default=100)
    args = p.parse_args()

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    env = InventoryEnv(seed=0)
    n_act = 5
    q = QNet(4, n_act)
    q_target = QNet(4, n_act)
    q_target.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=args.lr)
    buffer = Replay(20000)
    updates = 0

    for ep in range(args.episodes):
        s = env.reset()
        ep_return, done = 0.0, False
        while not done:
            with torch.no_grad():
                probs = boltzmann(q(torch.from_numpy(s)), args.temperature)
            a = int(torch.multinomial(probs, 1))
            s2, r, done = env.step(a)
            buffer.push(s, a, r, s2, done)
            s, ep_return = s2, ep_return + r

            if len(buffer.buf) >= 500:
                bs, ba, br, bs2, bd = buffer.sample(args.batch_size)
                with torch.no_grad():
                    q_next = q_target(bs2)
                    v_next = (boltzmann(q_next, args.temperature) * q_next).sum(-1)
                    target = br + args.gamma * (1.0 - bd) * v_next
                q_sa = q(bs).gather(1, ba.unsqueeze(1)).squeeze(1)
                loss = F.smooth_l1_loss(q_sa, target)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(q.parameters(), 10.0)
                opt.step()
                updates += 1
                if updates % args.target_sync == 0:
                    q_target.load_state_dict(q.state_dict())
                if updates % 250 == 0:
                    print(f"update {updates}  loss {loss.item():.3f}  mean Q {q_sa.mean().item():.1f}")
        print(f"episode {ep:3d}  return {ep_return:8.1f}")


if __name__ == "__main__":
    main()
