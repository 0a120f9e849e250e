import string

import torch
import torch.nn as nn
import torch.nn.functional as F

characters = "-" + string.digits
width, height, n_len, n_classes = 80, 32, 4, len(characters)
n_input_length = 5
batch_size = 32

torch.manual_seed(0)

GLYPHS = torch.randn(n_classes, 3, height, 16)


def render(code):
    img = torch.cat([GLYPHS[c] for c in code], dim=2)
    img = img[:, :, :width] if img.size(2) >= width else F.pad(img, (0, width - img.size(2)))
    return img + 0.3 * torch.randn_like(img)


class CaptchaDataset(torch.utils.data.Dataset):
    def __init__(self, length):
        g = torch.Generator().manual_seed(123)
        self.codes = torch.randint(1, n_classes, (length, n_len), generator=g)

    def __len__(self):
        return len(self.codes)

    def __getitem__(self, index):
        code = self.codes[index]
        image = render(code.tolist())
        input_length = torch.full((1,), n_input_length, dtype=torch.long)
        target_length = torch.full((1,), n_len, dtype=torch.long)
        return image, code, input_length, target_length


class Model(nn.Module):
    def __init__(self, n_classes, input_shape=(3, 32, 80)):
        super().__init__()
        channels = [32, 64, 128, 256]
        layers = []
        last = input_shape[0]
        for c in channels:
            layers += [nn.Conv2d(last, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            last = c
        self.cnn = nn.Sequential(*layers)
        self.lstm = nn.LSTM(input_size=256 * 2, hidden_size=128, num_layers=1, bidirectional=True)
        self.fc = nn.Linear(256, n_classes)

    def forward(self, x):
        x = self.cnn(x)                     # (B, 256, 2, 5)
        x = x.reshape(x.shape[0], -1, x.shape[-1]).permute(2, 0, 1)  # (T, B, C)
        x, _ = self.lstm(x)
        return self.fc(x)


def train(model, optimizer, loader, epoch):
    model.train()
    for batch_index, (data, target, input_lengths, target_lengths) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        output_log_softmax = F.log_softmax(output, dim=-1)
        loss = F.ctc_loss(output_log_softmax, target, input_lengths.squeeze(1), target_lengths.squeeze(1))
        loss.backward()
        optimizer.step()
        print(f"epoch {epoch} batch {batch_index} loss {loss.item():.4f}")


if __name__ == "__main__":
    dataset = CaptchaDataset(batch_size * 12)
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=0)
    model = Model(n_classes, input_shape=(3, height, width))
    optimizer = torch.optim.Adam(model.parameters(), 1e-3, amsgrad=True)
    for epoch in range(1, 2):
        train(model, optimizer, loader, epoch)
