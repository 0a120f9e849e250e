import random
import torch
from torch import nn
from torch.distributions import Categorical

GAMMA = 0.99
EPISODES = 300
torch.manual_seed(3)
random.seed(3)


class CliffCorridor:
    """Agent starts one cell away from a cliff edge; the goal is at the far end."""

    def __init__(self, length=8, max_steps=40):
        self.length = length
        self.max_steps = max_steps

    def reset(self):
        self.pos = 1
        self.t = 0
        return self._obs()

    def _obs(self):
        o = torch.zeros(self.length + 1)
        o[self.pos] = 1.0
        return o

    def step(self, action):
        self.t += 1
        self.pos += 1 if action == 1 else -1
        if self.pos <= 0:
            return self._obs(), -10.0, True
        if self.pos >= self.length:
            return self._obs(), 10.0, True
        return self._obs(), -0.1, self.t >= self.max_steps


actor = nn.Sequential(nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 2))
critic = nn.Sequential(nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 1))
actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-3)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)
env = CliffCorridor()

for episode in range(EPISODES):
    obs = env.reset()
    log_probs, values, rewards = [], [], []
    done = False
    while not done:
        dist = Categorical(logits=actor(obs))
        action = dist.sample()
        log_probs.append(dist.log_prob(action))
        values.append(critic(obs).squeeze())
        obs, reward, done = env.step(action.item())
        rewards.append(reward)

    returns = []
    R = 0.0
    for r in reversed(rewards):
        R = r + GAMMA * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    values = torch.stack(values)
    log_probs = torch.stack(log_probs)

    advantages = returns - values.detach()
    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)

    actor_loss = -(log_probs * advantages).sum()
    critic_loss = nn.functional.smooth_l1_loss(values, returns)

    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()

    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()

    if episode % 20 == 0:
        print(f"episode {episode} len {len(rewards)} return {sum(rewards):.1f} "
              f"actor_loss {actor_loss.item():.3f} critic_loss {critic_loss.item():.3f}")
