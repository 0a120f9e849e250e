import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(8)

n_samples, n_features, n_classes = 4096, 32, 10
inputs = torch.randn(n_samples, n_features)

teacher = nn.Linear(n_features, n_classes)
with torch.no_grad():
    teacher.weight.mul_(400.0)
    teacher_logits = teacher(inputs)
    teacher_logp = F.log_softmax(teacher_logits, dim=-1)
    teacher_probs = teacher_logp.exp()

print("teacher logit range", teacher_logits.min().item(), teacher_logits.max().item())
print("fraction of teacher probabilities that are exactly zero",
      (teacher_probs == 0).float().mean().item())

student = nn.Sequential(nn.Linear(n_features, 128), nn.ReLU(), nn.Linear(128, n_classes))
optimizer = torch.optim.Adam(student.parameters(), lr=3e-3)

batch_size = 128
step = 0
for epoch in range(8):
    order = torch.randperm(n_samples)
    for start in range(0, n_samples, batch_size):
        idx = order[start:start + batch_size]
        student_logp = F.log_softmax(student(inputs[idx]), dim=-1)
        loss = F.kl_div(student_logp, teacher_logp[idx], reduction="batchmean", log_target=True)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
    with torch.no_grad():
        agree = (student(inputs).argmax(-1) == teacher_logits.argmax(-1)).float().mean().item()
    print(f"epoch {epoch}  step {step}  kl {loss.item():.3e}  top-1 agreement {agree:.3f}")
