import math
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)

# sensor calibration curve: exact polynomial response, no measurement noise in the bench data
raw = torch.linspace(-1, 1, 200).unsqueeze(1)
true_coeffs = torch.tensor([0.3, -1.2, 0.8, 2.5])
features = torch.cat([raw ** k for k in range(4)], dim=1)
reading = features @ true_coeffs

model = nn.Linear(4, 1, bias=False)
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10,
                              tolerance_grad=1e-14, tolerance_change=1e-16,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = ((model(features).squeeze(1) - reading) ** 2).mean()
    loss.backward()
    return loss


for epoch in range(15):
    loss = optimizer.step(closure)
    with torch.no_grad():
        rmse = ((model(features).squeeze(1) - reading) ** 2).mean().sqrt().item()
    log_loss = math.log10(loss.item()) if loss.item() > 0 else float("-inf")
    print(f"epoch {epoch} loss {loss.item():.3e} log10 {log_loss:.2f} rmse {rmse:.3e}")
print("coeffs", model.weight.data)
