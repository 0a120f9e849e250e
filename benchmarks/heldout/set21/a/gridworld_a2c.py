import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(5)

SIZE = 6
N_STATES = SIZE * SIZE
GOAL = N_STATES - 1
MOVES = [(-1, 0), (1, 0), (0, -1), (0, 1)]
RMS_ALPHA, RMS_EPS = 0.99, 0.0


class GridWorld:
    def __init__(self):
        self.pos = 0

    def reset(self):
        self.pos = 0
        return self.pos

    def step(self, action):
        r, c = divmod(self.pos, SIZE)
        dr, dc = MOVES[action]
        r = min(max(r + dr, 0), SIZE - 1)
        c = min(max(c + dc, 0), SIZE - 1)
        self.pos = r * SIZE + c
        done = self.pos == GOAL
        return self.pos, (1.0 if done else -0.01), done


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.state_emb = nn.Embedding(N_STATES, 32)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(32, 4))

    def forward(self, s):
        return self.head(self.state_emb(s))


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.state_emb = nn.Embedding(N_STATES, 32)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(32, 1))

    def forward(self, s):
        return self.head(self.state_emb(s)).squeeze(-1)


def rollout(env, actor, horizon=24):
    states, actions, rewards, dones = [], [], [], []
    s = env.reset()
    for _ in range(horizon):
        with torch.no_grad():
            logits = actor(torch.tensor([s]))
        a = torch.distributions.Categorical(logits=logits).sample().item()
        s2, r, done = env.step(a)
        states.append(s); actions.append(a); rewards.append(r); dones.append(done)
        s = env.reset() if done else s2
    return torch.tensor(states), torch.tensor(actions), torch.tensor(rewards), torch.tensor(dones, dtype=torch.float32)


def discounted(rewards, dones, gamma=0.97):
    out = torch.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running * (1 - dones[t])
        out[t] = running
    return out


def main():
    env = GridWorld()
    actor, critic = Actor(), Critic()
    actor_opt = torch.optim.RMSprop(actor.parameters(), lr=7e-4, alpha=RMS_ALPHA, eps=RMS_EPS)
    critic_opt = torch.optim.RMSprop(critic.parameters(), lr=1e-3, alpha=RMS_ALPHA, eps=RMS_EPS)
    for update in range(200):
        states, actions, rewards, dones = rollout(env, actor)
        returns = discounted(rewards, dones)
        values = critic(states)
        advantage = (returns - values).detach()
        logp = F.log_softmax(actor(states), dim=-1).gather(1, actions[:, None]).squeeze(1)
        entropy = -(F.softmax(actor(states), -1) * F.log_softmax(actor(states), -1)).sum(-1).mean()
        actor_loss = -(logp * advantage).mean() - 0.01 * entropy
        critic_loss = F.mse_loss(values, returns)

        actor_opt.zero_grad()
        actor_loss.backward()
        nn.utils.clip_grad_norm_(actor.parameters(), 0.5)
        actor_opt.step()

        critic_opt.zero_grad()
        critic_loss.backward()
        critic_opt.step()

        if update % 25 == 0:
            print(f"update {update} actor_loss {actor_loss.item():.4f} critic_loss {critic_loss.item():.4f} "
                  f"return {returns[0].item():.3f}")


if __name__ == "__main__":
    main()
