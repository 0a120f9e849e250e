import torch
import torch.nn as nn
from torch.distributions import Categorical

torch.manual_seed(0)
N_ACTIONS = 6
OBS = 10


class Env:
    """Toy inventory task: some actions are illegal depending on the state."""

    def __init__(self, batch=16):
        self.batch = batch
        self.reset()

    def reset(self):
        self.state = torch.randn(self.batch, OBS)
        return self.state

    def legal_actions(self):
        mask = torch.ones(self.batch, N_ACTIONS, dtype=torch.bool)
        mask[:, 4:] = self.state[:, :2] > 0
        mask[:, 0] = True
        return mask

    def step(self, action):
        target = (self.state[:, 2] > 0).long() + 2 * (self.state[:, 3] > 0).long()
        reward = (action == target).float() - 0.1 * (action >= 4).float()
        self.state = 0.8 * self.state + 0.6 * torch.randn_like(self.state)
        return self.state, reward


actor = nn.Sequential(nn.Linear(OBS, 64), nn.Tanh(), nn.Linear(64, N_ACTIONS))
critic = nn.Sequential(nn.Linear(OBS, 64), nn.Tanh(), nn.Linear(64, 1))
actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-3)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)

env = Env()
obs = env.reset()
gamma = 0.9
for it in range(400):
    mask = env.legal_actions()
    logits = actor(obs).masked_fill(~mask, float("-inf"))
    dist = Categorical(logits=logits)
    action = dist.sample()
    next_obs, reward = env.step(action)
    with torch.no_grad():
        target = reward + gamma * critic(next_obs).squeeze(-1)
    value = critic(obs).squeeze(-1)
    advantage = (target - value).detach()

    critic_loss = (target - value).pow(2).mean()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()

    actor_loss = -(dist.log_prob(action) * advantage).mean() - 0.01 * dist.entropy().mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()

    obs = next_obs
    if it % 50 == 0:
        print(f"iter {it} reward {reward.mean().item():.3f} critic {critic_loss.item():.4f} "
              f"actor {actor_loss.item():.4f} logits_min {logits.min().item()}")
