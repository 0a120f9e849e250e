import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical

GRID = 6
ACTIONS = [(-1, 0), (1, 0), (0, -1), (0, 1), (0, 0)]  # up, down, left, right, pick


class PickingFloor:
    """Tiny warehouse grid: walk to the shelf and pick the item."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.pos = self.rng.integers(0, GRID, 2)
        self.item = self.rng.integers(0, GRID, 2)
        self.t = 0
        return self.obs()

    def obs(self):
        o = np.zeros((2, GRID, GRID), dtype=np.float32)
        o[0, self.pos[0], self.pos[1]] = 1.0
        o[1, self.item[0], self.item[1]] = 1.0
        return o.reshape(-1)

    def legal(self):
        mask = np.ones(len(ACTIONS), dtype=bool)
        r, c = self.pos
        mask[0] = r > 0
        mask[1] = r < GRID - 1
        mask[2] = c > 0
        mask[3] = c < GRID - 1
        mask[4] = (self.pos == self.item).all()
        return mask

    def step(self, a):
        self.t += 1
        if a == 4:
            return self.obs(), 10.0, True
        dr, dc = ACTIONS[a]
        self.pos = self.pos + np.array([dr, dc])
        return self.obs(), -0.1, self.t >= 40


actor = nn.Sequential(nn.Linear(2 * GRID * GRID, 64), nn.Tanh(), nn.Linear(64, len(ACTIONS)))
critic = nn.Sequential(nn.Linear(2 * GRID * GRID, 64), nn.Tanh(), nn.Linear(64, 1))
torch.manual_seed(4)
actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-3)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)
env = PickingFloor(seed=4)
gamma, ent_coef = 0.97, 0.01

for episode in range(150):
    obs = env.reset()
    log_probs, values, rewards, entropies = [], [], [], []
    done = False
    while not done:
        x = torch.from_numpy(obs)
        logits = actor(x)
        legal = torch.from_numpy(env.legal())
        logits = logits.masked_fill(~legal, float("-inf"))
        dist = Categorical(logits=logits)
        a = dist.sample()
        obs, r, done = env.step(a.item())
        log_probs.append(dist.log_prob(a))
        entropies.append(dist.entropy())
        values.append(critic(x).squeeze())
        rewards.append(r)

    returns, g = [], 0.0
    for r in reversed(rewards):
        g = r + gamma * g
        returns.append(g)
    returns = torch.tensor(returns[::-1])
    values = torch.stack(values)
    advantage = returns - values.detach()

    actor_loss = -(torch.stack(log_probs) * advantage).mean() - ent_coef * torch.stack(entropies).mean()
    critic_loss = nn.functional.smooth_l1_loss(values, returns)

    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()

    if episode % 10 == 0:
        print(f"episode {episode} steps {len(rewards)} return {sum(rewards):.1f} "
              f"actor {actor_loss.item():.3f} critic {critic_loss.item():.3f}")
