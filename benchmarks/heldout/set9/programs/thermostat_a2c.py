import math

import torch
from torch import nn

STATE_DIM = 4


class ThermostatEnv:
    """One-step control task: pick the heater power that brings the room to the set point."""

    def __init__(self, batch, seed=0):
        self.batch = batch
        self.gen = torch.Generator().manual_seed(seed)
        self.w = torch.tensor([0.8, -0.5, 0.3, 0.1])

    def reset(self):
        self.state = torch.randn(self.batch, STATE_DIM, generator=self.gen)
        return self.state

    def step(self, power):
        best = self.state @ self.w
        return -(power - best) ** 2


class Actor(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(STATE_DIM, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.mu = nn.Linear(hidden, 1)
        self.log_std = nn.Linear(hidden, 1)

    def forward(self, s):
        h = self.body(s)
        return self.mu(h).squeeze(-1), self.log_std(h).squeeze(-1)


class Critic(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(STATE_DIM, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, s):
        return self.net(s).squeeze(-1)


def gaussian_log_prob(a, mu, log_std):
    std = torch.exp(log_std)
    return -((a - mu) ** 2) / (2 * std ** 2) - log_std - 0.5 * math.log(2 * math.pi)


def main():
    torch.manual_seed(0)
    env = ThermostatEnv(batch=128)
    actor, critic = Actor(), Critic()
    actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-3)
    critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)
    entropy_coef = 2.0

    for update in range(400):
        s = env.reset()
        mu, log_std = actor(s)
        with torch.no_grad():
            a = mu + torch.exp(log_std) * torch.randn_like(mu)
        r = env.step(a)

        value = critic(s)
        critic_loss = ((r - value) ** 2).mean()
        critic_opt.zero_grad()
        critic_loss.backward()
        critic_opt.step()

        advantage = (r - value).detach()
        advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
        log_prob = gaussian_log_prob(a, mu, log_std)
        entropy = log_std + 0.5 * math.log(2 * math.pi * math.e)
        actor_loss = -(log_prob * advantage).mean() - entropy_coef * entropy.mean()
        actor_opt.zero_grad()
        actor_loss.backward()
        actor_opt.step()

        if update % 25 == 0:
            print(f"update {update:4d}  reward {r.mean().item():10.3f}  critic {critic_loss.item():10.3f}  "
                  f"std {log_std.exp().mean().item():.3g}")


if __name__ == "__main__":
    main()
