import torch
import torch.nn as nn
from torch.distributions import Normal

torch.manual_seed(5)

N_ENVS = 16
ROLLOUT = 32
GAMMA = 0.95


class GreenhouseEnv:
    def __init__(self, n):
        self.n = n
        self.reset()

    def reset(self):
        self.temp = 15.0 + 10.0 * torch.rand(self.n)
        self.humidity = 0.4 + 0.3 * torch.rand(self.n)
        self.pressure = 1013.25 + 1.0 * torch.randn(self.n)
        return self.observe()

    def observe(self):
        return torch.stack([self.temp, self.humidity, self.pressure], dim=1)

    def step(self, heater):
        heater = heater.clamp(-1.0, 1.0)
        outside = 12.0
        self.temp = self.temp + 1.5 * heater - 0.05 * (self.temp - outside) + 0.1 * torch.randn(self.n)
        self.humidity = (self.humidity - 0.01 * heater + 0.01 * torch.randn(self.n)).clamp(0.0, 1.0)
        self.pressure = self.pressure + 0.05 * (1013.25 - self.pressure) + 0.001 * torch.randn(self.n)
        reward = -((self.temp - 22.0) / 5.0) ** 2 - 0.05 * heater ** 2
        return self.observe(), reward


class ObsNormalizer:
    def __init__(self, dim, momentum=0.05):
        self.mean = torch.zeros(dim)
        self.sq_mean = torch.ones(dim)
        self.momentum = momentum
        self.initialized = False

    def update(self, obs):
        batch_mean = obs.mean(0)
        batch_sq = (obs ** 2).mean(0)
        if not self.initialized:
            self.mean, self.sq_mean = batch_mean, batch_sq
            self.initialized = True
        else:
            self.mean = (1 - self.momentum) * self.mean + self.momentum * batch_mean
            self.sq_mean = (1 - self.momentum) * self.sq_mean + self.momentum * batch_sq

    def __call__(self, obs):
        std = torch.sqrt(self.sq_mean - self.mean ** 2)
        return (obs - self.mean) / (std + 1e-8)


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 64), nn.Tanh(), nn.Linear(64, 1))
        self.log_std = nn.Parameter(torch.zeros(1))

    def forward(self, obs):
        return Normal(self.net(obs).squeeze(-1), self.log_std.exp())


critic = nn.Sequential(nn.Linear(3, 64), nn.Tanh(), nn.Linear(64, 1))
actor = Actor()
actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-4)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-3)

env = GreenhouseEnv(N_ENVS)
normalizer = ObsNormalizer(3)
obs = env.reset()
normalizer.update(obs)

for update in range(100):
    raw_obs, actions, rewards = [], [], []
    with torch.no_grad():
        for t in range(ROLLOUT):
            dist = actor(normalizer(obs))
            a = dist.sample()
            next_obs, r = env.step(a)
            raw_obs.append(obs)
            actions.append(a)
            rewards.append(r)
            obs = next_obs
    raw_obs = torch.stack(raw_obs)
    actions = torch.stack(actions)
    rewards = torch.stack(rewards)
    normalizer.update(raw_obs.reshape(-1, 3))

    with torch.no_grad():
        ret = critic(normalizer(obs)).squeeze(-1)
        returns = torch.zeros_like(rewards)
        for t in reversed(range(ROLLOUT)):
            ret = rewards[t] + GAMMA * ret
            returns[t] = ret

    norm_obs = normalizer(raw_obs)
    values = critic(norm_obs).squeeze(-1)
    critic_loss = ((returns - values) ** 2).mean()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()

    advantage = (returns - values.detach())
    log_prob = actor(norm_obs).log_prob(actions)
    actor_loss = -(log_prob * advantage).mean()
    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()

    if update % 10 == 0:
        print(f"update {update:3d}  mean reward {rewards.mean().item():.3f}  "
              f"critic {critic_loss.item():.3f}  actor {actor_loss.item():.3f}  "
              f"std {actor.log_std.exp().item():.3f}")
