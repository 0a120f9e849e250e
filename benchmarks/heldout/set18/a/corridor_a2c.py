import torch
from torch import nn
from torch.distributions import Categorical

torch.manual_seed(2)

CORRIDOR = 5
GOAL = 3
MAX_STEPS = 16
GAMMA = 0.97


class Corridor:
    def reset(self):
        self.pos = 0
        self.t = 0
        return self.obs()

    def obs(self):
        o = torch.zeros(CORRIDOR)
        o[self.pos] = 1.0
        return o

    def step(self, action):
        self.t += 1
        if action == 1:
            self.pos = min(self.pos + 1, CORRIDOR - 1)
        else:
            self.pos = max(self.pos - 1, 0)
        done = self.pos == GOAL or self.t >= MAX_STEPS
        reward = 1.0 if self.pos == GOAL else 0.0
        return self.obs(), reward, done


actor = nn.Sequential(nn.Linear(CORRIDOR, 32), nn.Tanh(), nn.Linear(32, 2))
critic = nn.Sequential(nn.Linear(CORRIDOR, 32), nn.Tanh(), nn.Linear(32, 1))
actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-2)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)


def discounted_returns(rewards):
    out, running = [], 0.0
    for r in reversed(rewards):
        running = r + GAMMA * running
        out.insert(0, running)
    returns = torch.tensor(out)
    returns = (returns - returns.mean()) / returns.std()
    return returns


env = Corridor()
for episode in range(300):
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
    critic_loss = (returns - values).pow(2).mean()

    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()

    if episode % 20 == 0:
        print(f"episode {episode:3d} len {len(rewards):2d} return {sum(rewards):.0f} "
              f"actor {actor_loss.item():.4f} critic {critic_loss.item():.4f}")
