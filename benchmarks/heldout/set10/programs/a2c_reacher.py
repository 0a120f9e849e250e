import math

import torch
import torch.nn as nn

N_ENVS = 64
HORIZON = 12
GAMMA = 0.95


class Reacher1D:
    def __init__(self, n_envs, generator):
        self.n = n_envs
        self.g = generator

    def reset(self):
        self.pos = torch.rand(self.n, generator=self.g) * 2 - 1
        self.goal = torch.rand(self.n, generator=self.g) * 2 - 1
        return self.obs()

    def obs(self):
        return torch.stack([self.pos, self.goal, self.goal - self.pos], dim=1)

    def step(self, action):
        self.pos = torch.clamp(self.pos + 0.2 * torch.clamp(action, -1, 1), -1.5, 1.5)
        reward = -(self.goal - self.pos).abs()
        return self.obs(), reward


class Actor(nn.Module):
    def __init__(self, obs_dim=3, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.mu_head = nn.Linear(hidden, 1)
        self.var_head = nn.Linear(hidden, 1)
        nn.init.zeros_(self.var_head.weight)
        nn.init.constant_(self.var_head.bias, 0.5)

    def forward(self, obs):
        h = self.body(obs)
        mu = self.mu_head(h).squeeze(-1)
        var = self.var_head(h).squeeze(-1)
        std = torch.sqrt(var)
        return mu, var, std


class Critic(nn.Module):
    def __init__(self, obs_dim=3, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, obs):
        return self.net(obs).squeeze(-1)


def gaussian_log_prob(action, mu, var, std):
    return -((action - mu) ** 2) / (2 * var) - torch.log(std) - 0.5 * math.log(2 * math.pi)


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    env = Reacher1D(N_ENVS, g)
    actor, critic = Actor(), Critic()
    actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-3)
    critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)

    for update in range(40):
        obs = env.reset()
        log_probs, values, rewards = [], [], []
        for t in range(HORIZON):
            mu, var, std = actor(obs)
            action = (mu + std * torch.randn(N_ENVS, generator=g)).detach()
            log_probs.append(gaussian_log_prob(action, mu, var, std))
            values.append(critic(obs))
            obs, reward = env.step(action)
            rewards.append(reward)

        returns, running = [], torch.zeros(N_ENVS)
        for r in reversed(rewards):
            running = r + GAMMA * running
            returns.insert(0, running)
        returns = torch.stack(returns)
        values = torch.stack(values)
        log_probs = torch.stack(log_probs)
        advantage = (returns - values).detach()

        critic_loss = (returns - values).pow(2).mean()
        critic_opt.zero_grad()
        critic_loss.backward()
        critic_opt.step()

        actor_loss = -(log_probs * advantage).mean()
        actor_opt.zero_grad()
        actor_loss.backward()
        actor_opt.step()

        if update % 10 == 0:
            print(f"update {update:3d}  return {returns[0].mean().item():7.3f}  "
                  f"actor {actor_loss.item():8.4f}  critic {critic_loss.item():7.4f}  mean var {var.mean().item():.4f}")


if __name__ == "__main__":
    main()
