import torch
import torch.nn as nn
from torch.distributions import Normal


class ReachEnv:
    """2-D point that has to move toward a goal."""

    def __init__(self, seed=0):
        self.gen = torch.Generator().manual_seed(seed)
        self.reset()

    def reset(self):
        self.pos = torch.rand(2, generator=self.gen) * 2 - 1
        self.goal = torch.rand(2, generator=self.gen) * 2 - 1
        self.t = 0
        return self.obs()

    def obs(self):
        return torch.cat([self.pos, self.goal - self.pos])

    def step(self, action):
        self.pos = (self.pos + 0.1 * action.clamp(-1, 1)).clamp(-1.5, 1.5)
        self.t += 1
        dist = (self.goal - self.pos).norm()
        reward = -dist.item()
        done = dist.item() < 0.05 or self.t >= 40
        return self.obs(), reward, done


class ActorCritic(nn.Module):
    def __init__(self, obs_dim=4, act_dim=2, hidden=64):
        super().__init__()
        self.pi = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                                nn.Linear(hidden, act_dim))
        self.v = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))

    def dist(self, obs):
        return Normal(self.pi(obs), self.log_std.exp())

    def value(self, obs):
        return self.v(obs).squeeze(-1)


def compute_gae(rewards, values, dones, last_value, gamma=0.99, lam=0.95):
    adv = torch.zeros(len(rewards))
    gae = 0.0
    for t in reversed(range(len(rewards))):
        next_v = last_value if t == len(rewards) - 1 else values[t + 1]
        nonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * next_v * nonterminal - values[t]
        gae = delta + gamma * lam * nonterminal * gae
        adv[t] = gae
    return adv, adv + values


n_steps = 129
batch_size = 64
n_epochs = 4
clip_range = 0.2
vf_coef = 0.5
ent_coef = 0.0
iterations = 6

torch.manual_seed(0)
env = ReachEnv(seed=0)
agent = ActorCritic()
optimizer = torch.optim.Adam(agent.parameters(), lr=3e-4, eps=1e-5)

obs = env.reset()
for it in range(iterations):
    buf_obs, buf_act, buf_logp, buf_rew, buf_done, buf_val = [], [], [], [], [], []
    with torch.no_grad():
        for _ in range(n_steps):
            d = agent.dist(obs)
            a = d.sample()
            buf_obs.append(obs)
            buf_act.append(a)
            buf_logp.append(d.log_prob(a).sum())
            buf_val.append(agent.value(obs))
            obs, r, done = env.step(a)
            buf_rew.append(r)
            buf_done.append(float(done))
            if done:
                obs = env.reset()
        last_value = agent.value(obs)
    b_obs = torch.stack(buf_obs)
    b_act = torch.stack(buf_act)
    b_logp = torch.stack(buf_logp)
    b_val = torch.stack(buf_val)
    b_adv, b_ret = compute_gae(buf_rew, b_val, buf_done, last_value)

    for epoch in range(n_epochs):
        idx = torch.randperm(n_steps)
        for start in range(0, n_steps, batch_size):
            mb = idx[start:start + batch_size]
            advantages = b_adv[mb]
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
            d = agent.dist(b_obs[mb])
            logp = d.log_prob(b_act[mb]).sum(-1)
            ratio = torch.exp(logp - b_logp[mb])
            pg_loss = -torch.min(ratio * advantages, ratio.clamp(1 - clip_range, 1 + clip_range) * advantages).mean()
            v_loss = 0.5 * (agent.value(b_obs[mb]) - b_ret[mb]).pow(2).mean()
            entropy = d.entropy().sum(-1).mean()
            loss = pg_loss + vf_coef * v_loss - ent_coef * entropy
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), 0.5)
            optimizer.step()
    print(f"iter {it} mean reward {sum(buf_rew) / len(buf_rew):.3f} pg {pg_loss.item():.4f} v {v_loss.item():.4f}")
