import torch
from torch import nn
from torch.distributions import Categorical
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

N_ZONES = 12
STATE_DIM = 20


def simulate_requests(n, seed):
    g = torch.Generator().manual_seed(seed)
    state = torch.randn(n, STATE_DIM, generator=g)
    available = torch.rand(n, N_ZONES, generator=g) < 0.35
    available[torch.arange(n), torch.randint(0, N_ZONES, (n,), generator=g)] = True
    zone_value = torch.linspace(-1.0, 1.5, N_ZONES)
    affinity = state[:, :N_ZONES] * 0.5 + zone_value
    reward_table = torch.where(available, affinity, torch.zeros_like(affinity))
    return state, available, reward_table


class DispatchActorCritic(L.LightningModule):
    def __init__(self, hidden=64, actor_lr=3e-3, critic_lr=1e-2, entropy_coef=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.actor = nn.Sequential(nn.Linear(STATE_DIM, hidden), nn.Tanh(), nn.Linear(hidden, N_ZONES))
        self.critic = nn.Sequential(nn.Linear(STATE_DIM, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def policy(self, state, available):
        logits = self.actor(state)
        logits = logits.masked_fill(~available, float("-inf"))
        return Categorical(logits=logits)

    def training_step(self, batch, batch_idx):
        state, available, reward_table = batch
        actor_opt, critic_opt = self.optimizers()

        dist = self.policy(state, available)
        action = dist.sample()
        reward = reward_table.gather(1, action.unsqueeze(1)).squeeze(1)
        value = self.critic(state).squeeze(1)
        advantage = (reward - value).detach()

        log_prob = dist.log_prob(action)
        entropy = dist.entropy().mean()
        actor_loss = -(log_prob * advantage).mean() - self.hparams.entropy_coef * entropy
        actor_opt.zero_grad()
        self.manual_backward(actor_loss)
        self.clip_gradients(actor_opt, gradient_clip_val=0.5, gradient_clip_algorithm="norm")
        actor_opt.step()

        critic_loss = nn.functional.mse_loss(value, reward)
        critic_opt.zero_grad()
        self.manual_backward(critic_loss)
        critic_opt.step()

        if batch_idx % 10 == 0:
            print(f"step {self.global_step} reward {reward.mean().item():.3f} "
                  f"actor {actor_loss.item():.4f} critic {critic_loss.item():.4f} "
                  f"entropy {entropy.item():.3f} min_logp {dist.logits.min().item()}")

    def configure_optimizers(self):
        actor_opt = torch.optim.Adam(self.actor.parameters(), lr=self.hparams.actor_lr)
        critic_opt = torch.optim.Adam(self.critic.parameters(), lr=self.hparams.critic_lr)
        return actor_opt, critic_opt


def main():
    L.seed_everything(11, verbose=False)
    state, available, reward_table = simulate_requests(4096, seed=5)
    loader = DataLoader(TensorDataset(state, available, reward_table), batch_size=128, shuffle=True)
    model = DispatchActorCritic()
    trainer = L.Trainer(accelerator="cpu", max_epochs=2, enable_progress_bar=False,
                        logger=False, enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(model, loader)


if __name__ == "__main__":
    main()
