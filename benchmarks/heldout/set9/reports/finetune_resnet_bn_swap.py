import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        idt = x if self.down is None else self.down(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + idt)


class SmallResNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = BasicBlock(16, 16)
        self.layer2 = BasicBlock(16, 32, 2)
        self.layer3 = BasicBlock(32, 64, 2)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def load_pretrained():
    """Stand-in for torchvision weights: a checkpoint with realistic BN statistics."""
    torch.manual_seed(123)
    model = SmallResNet()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0.0, 0.5)
            m.running_var.uniform_(0.3, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0.0, 0.1)
            m.num_batches_tracked.fill_(450000)
    return model


def freeze_bn(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


def main():
    model = load_pretrained()

    # replace the stem norm with a non-tracking BN, keeping the pretrained statistics
    c = int(getattr(model, 'bn1').weight.shape[0])
    tmp = getattr(model, 'bn1')
    params = list(tmp.named_parameters()).copy()
    buffers = list(tmp.named_buffers()).copy()
    model.bn1 = nn.BatchNorm2d(c, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)
    model.bn1.weight = params[0][1]
    model.bn1.bias = params[1][1]
    model.bn1.running_mean = buffers[0][1]
    model.bn1.running_var = buffers[0][1]
    model.bn1.num_batches_tracked = buffers[2][1]

    model.fc = nn.Linear(64, 5)

    g = torch.Generator().manual_seed(0)
    images = torch.rand(64, 3, 32, 32, generator=g)
    images = (images - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    labels = torch.randint(0, 5, (64,), generator=g)
    loader = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True,
                        generator=torch.Generator().manual_seed(0))

    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    step = 0
    for epoch in range(2):
        model.train()
        freeze_bn(model)
        for x, y in loader:
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            print(f"epoch {epoch} iter {step} loss {loss.item():.4f}")
            step += 1


if __name__ == "__main__":
    main()
