import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F


class TabularNet(nn.Module):
    def __init__(self, in_dim=64, n_classes=4):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, n_classes)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def prep_param_lists(model):
    model_params = [p for p in model.parameters() if p.requires_grad]
    master_params = [p.detach().clone().float() for p in model_params]
    for p in master_params:
        p.requires_grad = True
    return model_params, master_params


def model_grads_to_master_grads(model_params, master_params):
    for model, master in zip(model_params, master_params):
        if master.grad is None:
            master.grad = torch.empty_like(master)
        master.grad.copy_(model.grad.float())


def master_params_to_model_params(model_params, master_params):
    for model, master in zip(model_params, master_params):
        model.data.copy_(master.data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--static-loss-scale", type=float, default=4096.0)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()

    torch.manual_seed(0)
    images = torch.randn(4096, 64)
    labels = (images[:, 0] > 0).long() + 2 * (images[:, 1] > 0).long()

    model = TabularNet().half()
    model_params, master_params = prep_param_lists(model)
    optimizer = torch.optim.SGD(master_params, lr=args.lr, momentum=0.9, weight_decay=1e-4)
    criterion = nn.CrossEntropyLoss(reduction="sum")

    for step in range(args.steps):
        idx = torch.randint(0, len(images), (args.batch_size,))
        x, y = images[idx].half(), labels[idx]
        output = model(x)
        loss = criterion(output.float(), y)

        model.zero_grad()
        (loss * args.static_loss_scale).backward()
        model_grads_to_master_grads(model_params, master_params)
        for p in master_params:
            p.grad.data.mul_(1.0 / args.static_loss_scale)
        optimizer.step()
        master_params_to_model_params(model_params, master_params)

        if step % 5 == 0:
            acc = (output.argmax(1) == y).float().mean().item()
            print(f"step {step} loss {loss.item() / len(y):.4f} acc {acc:.3f}")


if __name__ == "__main__":
    main()
