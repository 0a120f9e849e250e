"""PPO for a toy ride-dispatch bandit: pick one of K zones for an incoming request."""
import argparse

import torch
import torch.nn as nn
from torch.distributions import Categorical


class DispatchEnv:
    def __init__(self, n_zones=6, obs_dim=10, seed=0):
        self.g = torch.Generator().manual_seed(seed)
        self.w = torch.randn(obs_dim, n_zones, generator=self.g)
        self.obs_dim = obs_dim
        self.n_zones = n_zones

    def sample_requests(self, n):
        return torch.randn(n, self.obs_dim, generator=self.g)

    def reward(self, obs, action):
        score = obs @ self.w
        best = score.argmax(dim=1)
        noise = 0.1 * torch.randn(len(obs), generator=self.g)
        return (action == best).float() + 0.1 * score.gather(1, action[:, None]).squeeze(1) + noise


class ActorCritic(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, n_actions)
        self.v = nn.Linear(hidden, 1)

    def forward(self, obs):
        h = self.body(obs)
        return Categorical(logits=self.pi(h)), self.v(h).squeeze(-1)


def collect(env, agent, n_steps):
    obs = env.sample_requests(n_steps)
    with torch.no_grad():
        dist, value = agent(obs)
        action = dist.sample()
        logp = dist.log_prob(action)
    rew = env.reward(obs, action)
    return obs, action, logp, rew - value, rew


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=8)
    parser.add_argument("--n-steps", type=int, default=257)
    parser.add_argument("--minibatch", type=int, default=64)
    parser.add_argument("--ppo-epochs", type=int, default=2)
    parser.add_argument("--clip", type=float, default=0.2)
    parser.add_argument("--lr", type=float, default=3e-4)
    args = parser.parse_args()

    torch.manual_seed(0)
    env = DispatchEnv()
    agent = ActorCritic(env.obs_dim, env.n_zones)
    opt = torch.optim.Adam(agent.parameters(), lr=args.lr, eps=1e-5)

    updates = 0
    for it in range(args.iterations):
        obs, act, old_logp, adv, ret = collect(env, agent, args.n_steps)
        for epoch in range(args.ppo_epochs):
            perm = torch.randperm(args.n_steps)
            for start in range(0, args.n_steps, args.minibatch):
                idx = perm[start:start + args.minibatch]
                mb_adv = adv[idx]
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                dist, value = agent(obs[idx])
                ratio = torch.exp(dist.log_prob(act[idx]) - old_logp[idx])
                pg_loss = -torch.min(ratio * mb_adv, ratio.clamp(1 - args.clip, 1 + args.clip) * mb_adv).mean()
                v_loss = 0.5 * (ret[idx] - value).pow(2).mean()
                loss = pg_loss + 0.5 * v_loss - 0.01 * dist.entropy().mean()
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), 0.5)
                opt.step()
                updates += 1
        print(f"iter {it} updates {updates} mean reward {ret.mean().item():.3f} last loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
