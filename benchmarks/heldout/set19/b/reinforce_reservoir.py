import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.distributions import Categorical

gamma = 0.99
eps = np.finfo(np.float32).eps.item()


class ReservoirEnv:
    """Keep a water reservoir level inside [0, 10] by choosing how much to release."""

    def __init__(self, seed):
        self.rng = np.random.RandomState(seed)
        self.level = 5.0
        self.t = 0

    def reset(self):
        self.level = float(self.rng.uniform(1.0, 9.0))
        self.t = 0
        return self._obs()

    def _obs(self):
        return np.array([self.level / 10.0, self.t / 50.0], dtype=np.float32)

    def step(self, action):
        inflow = self.rng.gamma(2.0, 0.6)
        release = [0.0, 1.0, 2.0][action]
        self.level += inflow - release
        self.t += 1
        done = self.level < 0.0 or self.level > 10.0 or self.t >= 50
        reward = 1.0 - abs(self.level - 5.0) / 5.0
        if self.level < 0.0 or self.level > 10.0:
            reward = -5.0
        return self._obs(), reward, done


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.affine1 = nn.Linear(2, 64)
        self.affine2 = nn.Linear(64, 3)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = torch.relu(self.affine1(x))
        return torch.softmax(self.affine2(x), dim=1)


torch.manual_seed(543)
policy = Policy()
optimizer = optim.Adam(policy.parameters(), lr=1e-2)


def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode():
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]
    return policy_loss.item()


def main():
    env = ReservoirEnv(seed=543)
    running_reward = 0.0
    for i_episode in range(1, 201):
        state, ep_reward = env.reset(), 0
        for t in range(1, 10000):
            action = select_action(state)
            state, reward, done = env.step(action)
            policy.rewards.append(reward)
            ep_reward += reward
            if done:
                break
        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        loss = finish_episode()
        if i_episode % 10 == 0:
            print(f"Episode {i_episode}\tLast reward: {ep_reward:.2f}\tAverage reward: {running_reward:.2f}\tloss {loss:.3f}")


if __name__ == "__main__":
    main()
