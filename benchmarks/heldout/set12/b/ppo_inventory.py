import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical


class InventoryEnv:
    """Toy single-warehouse restocking problem: order 0, 1 or 2 pallets per day."""

    def __init__(self, seed=0, capacity=10):
        self.rng = np.random.default_rng(seed)
        self.capacity = capacity
        self.reset()

    def reset(self):
        self.stock = 5
        self.day = 0
        return self._obs()

    def _obs(self):
        return np.array([self.stock / self.capacity, np.sin(self.day / 7 * 2 * np.pi),
                         np.cos(self.day / 7 * 2 * np.pi), self.day / 30], dtype=np.float32)

    def step(self, action):
        demand = self.rng.poisson(1.0 + 0.5 * np.sin(self.day / 7 * 2 * np.pi))
        self.stock = min(self.capacity, self.stock + int(action))
        sold = min(self.stock, demand)
        self.stock -= sold
        reward = sold * 1.0 - 0.1 * self.stock - 0.5 * int(action > 0) - 2.0 * (demand - sold)
        self.day += 1
        done = self.day >= 30
        return self._obs(), float(reward), done


class Actor(nn.Module):
    def __init__(self, obs_dim=4, n_actions=3):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, n_actions))

    def forward(self, obs):
        return Categorical(logits=self.net(obs))


class Critic(nn.Module):
    def __init__(self, obs_dim=4):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))

    def forward(self, obs):
        return self.net(obs).squeeze(-1)


def collect_rollout(env, actor, critic, obs, n_steps):
    buf = {"obs": [], "act": [], "logp": [], "rew": [], "done": [], "val": []}
    for _ in range(n_steps):
        o = torch.as_tensor(obs)
        with torch.no_grad():
            dist = actor(o)
            a = dist.sample()
            v = critic(o)
        next_obs, r, done = env.step(a.item())
        buf["obs"].append(o)
        buf["act"].append(a)
        buf["logp"].append(dist.log_prob(a))
        buf["rew"].append(r)
        buf["done"].append(done)
        buf["val"].append(v)
        obs = env.reset() if done else next_obs
    with torch.no_grad():
        last_val = critic(torch.as_tensor(obs))
    return buf, obs, last_val


def compute_gae(rew, val, done, last_val, gamma=0.99, lam=0.95):
    adv = torch.zeros(len(rew))
    gae = 0.0
    for t in reversed(range(len(rew))):
        next_val = last_val if t == len(rew) - 1 else val[t + 1]
        nonterminal = 0.0 if done[t] else 1.0
        delta = rew[t] + gamma * next_val * nonterminal - val[t]
        gae = delta + gamma * lam * nonterminal * gae
        adv[t] = gae
    returns = adv + torch.stack(val)
    return adv, returns


def main():
    torch.manual_seed(0)
    env = InventoryEnv(seed=0)
    actor, critic = Actor(), Critic()
    actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-4)
    critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-3)

    n_steps = 65
    minibatch_size = 16
    clip = 0.2
    obs = env.reset()
    update = 0
    for iteration in range(3):
        buf, obs, last_val = collect_rollout(env, actor, critic, obs, n_steps)
        adv, returns = compute_gae(buf["rew"], buf["val"], buf["done"], last_val)
        b_obs = torch.stack(buf["obs"])
        b_act = torch.stack(buf["act"])
        b_logp = torch.stack(buf["logp"])

        for epoch in range(2):
            perm = torch.randperm(n_steps)
            for start in range(0, n_steps, minibatch_size):
                idx = perm[start:start + minibatch_size]
                mb_adv = adv[idx]
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)

                dist = actor(b_obs[idx])
                ratio = torch.exp(dist.log_prob(b_act[idx]) - b_logp[idx])
                pg_loss = -torch.min(ratio * mb_adv, torch.clamp(ratio, 1 - clip, 1 + clip) * mb_adv).mean()
                entropy = dist.entropy().mean()
                actor_loss = pg_loss - 0.01 * entropy

                actor_opt.zero_grad()
                actor_loss.backward()
                nn.utils.clip_grad_norm_(actor.parameters(), 0.5)
                actor_opt.step()

                value_loss = ((critic(b_obs[idx]) - returns[idx]) ** 2).mean()
                critic_opt.zero_grad()
                value_loss.backward()
                critic_opt.step()

                update += 1
        print(f"iter {iteration} mean reward {np.mean(buf['rew']):.3f} "
              f"actor loss {actor_loss.item():.4f} value loss {value_loss.item():.4f}")


if __name__ == "__main__":
    main()
