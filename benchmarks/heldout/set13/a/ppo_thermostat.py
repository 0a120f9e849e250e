import torch
import torch.nn as nn
from torch.distributions import Categorical

torch.manual_seed(5)

N_ENVS, HORIZON = 32, 40
GAMMA = 0.98


class ThermostatEnv:
    def __init__(self, n):
        self.n = n

    def reset(self):
        self.temp = 18 + 6 * torch.rand(self.n, 1)
        self.outside = 5 + 10 * torch.rand(self.n, 1)
        return self.obs()

    def obs(self):
        return torch.cat([(self.temp - 21) / 5, (self.outside - 10) / 5], dim=1)

    def step(self, heat):
        heat = heat.clamp(-1, 1)
        self.temp = self.temp + 0.1 * (self.outside - self.temp) + 2.0 * heat
        reward = -((self.temp - 21) ** 2) - 0.1 * heat ** 2
        return self.obs(), reward


HEAT_LEVELS = torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0])


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.logits = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, len(HEAT_LEVELS)))

    def dist(self, s):
        e = torch.exp(self.logits(s))
        probs = e / e.sum(-1, keepdim=True)
        return Categorical(probs=probs)


critic = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 1))
actor = Actor()
actor_opt = torch.optim.SGD(actor.parameters(), lr=1e-2)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-3)
env = ThermostatEnv(N_ENVS)


def rollout():
    s = env.reset()
    states, actions, rewards, logps = [], [], [], []
    with torch.no_grad():
        for _ in range(HORIZON):
            d = actor.dist(s)
            a = d.sample()
            s2, r = env.step(HEAT_LEVELS[a].unsqueeze(1))
            states.append(s); actions.append(a); rewards.append(r); logps.append(d.log_prob(a).unsqueeze(1))
            s = s2
    returns, g = [], torch.zeros(N_ENVS, 1)
    for r in reversed(rewards):
        g = r + GAMMA * g
        returns.insert(0, g)
    return (torch.cat(states), torch.cat(actions), torch.cat(returns), torch.cat(logps))


for update in range(40):
    states, actions, returns, old_logp = rollout()
    with torch.no_grad():
        adv = returns - critic(states)
    for epoch in range(8):
        logp = actor.dist(states).log_prob(actions).unsqueeze(1)
        ratio = torch.exp(logp - old_logp)
        surr = torch.min(ratio * adv, ratio.clamp(0.8, 1.2) * adv)
        actor_loss = -surr.mean()
        actor_opt.zero_grad()
        actor_loss.backward()
        actor_opt.step()

        value_loss = (critic(states) - returns).pow(2).mean()
        critic_opt.zero_grad()
        value_loss.backward()
        critic_opt.step()
    print(f"update {update} return {returns[:N_ENVS].mean().item():.1f} actor {actor_loss.item():.3f} "
          f"critic {value_loss.item():.1f}")
