import torch
from torch import nn
from torch.distributions import Categorical

torch.manual_seed(4)


class Corridor:
    """Agent starts at cell 0 and must reach the charging dock at the far end."""

    def __init__(self, length=4, max_steps=20):
        self.length = length
        self.max_steps = max_steps

    def reset(self):
        self.pos = 0
        self.t = 0
        return self._obs()

    def _obs(self):
        o = torch.zeros(self.length + 1)
        o[self.pos] = 1.0
        o[-1] = self.t / self.max_steps
        return o

    def step(self, action):
        self.t += 1
        self.pos = min(max(self.pos + (1 if action == 1 else -1), 0), self.length - 1)
        reached = self.pos == self.length - 1
        reward = 1.0 if reached else 0.0
        done = reached or self.t >= self.max_steps
        return self._obs(), reward, done


env = Corridor()
obs_dim = env.length + 1
actor = nn.Sequential(nn.Linear(obs_dim, 32), nn.Tanh(), nn.Linear(32, 2))
critic = nn.Sequential(nn.Linear(obs_dim, 32), nn.Tanh(), nn.Linear(32, 1))
actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-3)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)
gamma = 0.95


def discounted_returns(rewards):
    out, g = [], 0.0
    for r in reversed(rewards):
        g = r + gamma * g
        out.append(g)
    returns = torch.tensor(list(reversed(out)))
    return (returns - returns.mean()) / returns.std()


for episode in range(60):
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

    returns = discounted_returns(rewards)
    values = torch.stack(values)
    advantage = returns - values.detach()

    actor_loss = -(torch.stack(log_probs) * advantage).mean()
    critic_loss = nn.functional.mse_loss(values, returns)

    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()

    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()

    print(f"episode {episode:3d}  len {len(rewards):2d}  reward {sum(rewards):.0f}  "
          f"actor {actor_loss.item():.4f}  critic {critic_loss.item():.4f}")
