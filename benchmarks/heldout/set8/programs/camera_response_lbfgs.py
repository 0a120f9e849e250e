import torch
import torch.nn as nn

torch.manual_seed(2)

# raw linear sensor values (RGB) of a colour checker shot, plus dark frame patches
n_patches = 240
raw = torch.rand(n_patches, 3)
raw[:24] = 0.0
true_gain = torch.tensor([1.8, 1.0, 1.5])
true_gamma = 1 / 2.2
mix = torch.tensor([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.02, 0.08, 0.9]])
reference = ((raw * true_gain).clamp(0, 1) ** true_gamma) @ mix.T
reference = reference + 0.01 * torch.randn_like(reference)


class CameraResponse(nn.Module):
    def __init__(self):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(3))
        self.log_gamma = nn.Parameter(torch.zeros(3))
        self.ccm = nn.Parameter(torch.eye(3))

    def forward(self, x):
        linear = x * self.gain
        encoded = linear ** torch.exp(self.log_gamma)
        return encoded @ self.ccm.T


model = CameraResponse()
optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=10, history_size=10,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = ((model(raw) - reference) ** 2).mean()
    loss.backward()
    return loss


for step in range(8):
    loss = optimizer.step(closure)
    print(f"step {step} loss {loss.item():.6f} gamma {torch.exp(model.log_gamma).detach().numpy()}")
print("gain", model.gain.detach().numpy())
