import math

import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments, set_seed

N_TRACES = 512
N_CHANNELS = 3
TRACE_LEN = 256
CLASSES = ["noise", "p_wave", "s_wave"]


class WaveformDataset(Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, len(CLASSES), (n,), generator=g)
        t = torch.linspace(0, 1, TRACE_LEN)
        x = 0.05 * torch.randn(n, N_CHANNELS, TRACE_LEN, generator=g)
        onset = torch.randint(40, 200, (n,), generator=g)
        for i in range(n):
            c = int(self.labels[i])
            if c == 0:
                continue
            freq = 12.0 if c == 1 else 5.0
            amp = torch.rand(N_CHANNELS, 1, generator=g) * 3 + 0.5
            env = torch.exp(-((t - onset[i] / TRACE_LEN).clamp(min=0)) * 8) * (t >= onset[i] / TRACE_LEN)
            x[i] += amp * env * torch.sin(2 * math.pi * freq * t * 10)
        x *= torch.rand(n, 1, 1, generator=g) * 900 + 100
        for i in (183, 377):
            x[i] = 0.0
        self.x = x

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"waveform": self.x[i], "labels": self.labels[i]}


class PickerConfig(PretrainedConfig):
    model_type = "phase-picker"

    def __init__(self, in_channels=3, width=32, num_classes=3, **kw):
        super().__init__(**kw)
        self.in_channels = in_channels
        self.width = width
        self.num_classes = num_classes


class PhasePicker(PreTrainedModel):
    config_class = PickerConfig

    def __init__(self, config):
        super().__init__(config)
        w = config.width
        self.encoder = nn.Sequential(
            nn.Conv1d(config.in_channels, w, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(w, w, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
        )
        self.classifier = nn.Linear(w, config.num_classes)
        self.post_init()

    def forward(self, waveform, labels=None):
        peak = waveform.abs().amax(dim=(1, 2), keepdim=True)
        waveform = waveform / peak
        logits = self.classifier(self.encoder(waveform).flatten(1))
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits, labels)
        return {"loss": loss, "logits": logits}


def main():
    set_seed(3)
    train_ds = WaveformDataset(N_TRACES, seed=11)
    model = PhasePicker(PickerConfig())
    args = TrainingArguments(
        output_dir="runs/phase_picker",
        per_device_train_batch_size=16,
        learning_rate=1e-3,
        num_train_epochs=1,
        lr_scheduler_type="cosine",
        logging_steps=2,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=3,
    )
    Trainer(model=model, args=args, train_dataset=train_ds).train()


if __name__ == "__main__":
    main()
