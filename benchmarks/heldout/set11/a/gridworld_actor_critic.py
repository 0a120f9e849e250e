import torch
from torch import nn
from torch.distributions import Categorical

torch.manual_seed(4)

SIZE = 5
MOVES = torch.tensor([[-1, 0], [1, 0], [0, -1], [0, 1]])
GOAL = torch.tensor([SIZE - 1, SIZE - 1])


def observe(pos):
    obs = torch.zeros(SIZE * SIZE)
    obs[pos[0] * SIZE + pos[1]] = 1.0
    return obs


def legal_moves(pos):
    nxt = pos + MOVES
    return ((nxt >= 0) & (nxt < SIZE)).all(dim=1)


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(SIZE * SIZE, 64), nn.Tanh(), nn.Linear(64, 4))

    def forward(self, obs, legal):
        logits = self.net(obs)
        return logits.masked_fill(~legal, float("-inf"))


critic = nn.Sequential(nn.Linear(SIZE * SIZE, 64), nn.Tanh(), nn.Linear(64, 1))
actor = Actor()
actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-2)
critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-2)
gamma = 0.95


def run_episode(greedy=False, max_steps=40):
    pos = torch.tensor([0, 0])
    log_probs, values, rewards, entropies = [], [], [], []
    for _ in range(max_steps):
        obs = observe(pos)
        dist = Categorical(logits=actor(obs, legal_moves(pos)))
        a = dist.probs.argmax() if greedy else dist.sample()
        log_probs.append(dist.log_prob(a))
        entropies.append(dist.entropy())
        values.append(critic(obs).squeeze())
        pos = pos + MOVES[a]
        done = bool((pos == GOAL).all())
        rewards.append(1.0 if done else -0.01)
        if done:
            break
    return log_probs, values, rewards, entropies


for episode in range(300):
    log_probs, values, rewards, entropies = run_episode()
    returns, g = [], 0.0
    for r in reversed(rewards):
        g = r + gamma * g
        returns.insert(0, g)
    returns = torch.tensor(returns)
    values = torch.stack(values)
    advantage = returns - values.detach()
    actor_loss = -(torch.stack(log_probs) * advantage).sum() - 0.01 * torch.stack(entropies).sum()
    critic_loss = (returns - values).pow(2).mean()

    actor_opt.zero_grad()
    actor_loss.backward()
    actor_opt.step()
    critic_opt.zero_grad()
    critic_loss.backward()
    critic_opt.step()
    if episode % 25 == 0:
        print(f"episode {episode} len {len(rewards)} actor_loss {actor_loss.item():.4f} critic_loss {critic_loss.item():.5f}")

with torch.no_grad():
    lengths = [len(run_episode(greedy=True)[2]) for _ in range(5)]
print("greedy episode lengths", lengths)
