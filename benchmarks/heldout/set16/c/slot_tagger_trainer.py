import torch
from torch import nn
import torch.nn.functional as F
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments
from transformers.modeling_outputs import TokenClassifierOutput

TAGS = ["O", "B-city", "I-city", "B-date", "I-date", "B-airline"]
PAD_ID = 0


class SlotTaggerConfig(PretrainedConfig):
    model_type = "gru-slot-tagger"

    def __init__(self, vocab_size=300, hidden_size=32, num_tags=len(TAGS), **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_tags = num_tags


class SlotTagger(PreTrainedModel):
    config_class = SlotTaggerConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=PAD_ID)
        self.rnn = nn.GRU(config.hidden_size, config.hidden_size, batch_first=True, bidirectional=True)
        self.classifier = nn.Linear(2 * config.hidden_size, config.num_tags)
        self.post_init()

    def forward(self, input_ids=None, allowed_tags=None, labels=None, **kwargs):
        h, _ = self.rnn(self.embed(input_ids))
        logits = self.classifier(h)
        logits = logits.masked_fill(~allowed_tags, float("-inf"))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100)
        return TokenClassifierOutput(loss=loss, logits=logits)


def make_lexicon(vocab_size, num_tags, seed=0):
    g = torch.Generator().manual_seed(seed)
    tag_of_word = torch.randint(0, num_tags, (vocab_size,), generator=g)
    tag_of_word[PAD_ID] = 0
    allowed = torch.zeros(vocab_size, num_tags, dtype=torch.bool)
    allowed[torch.arange(vocab_size), tag_of_word] = True
    allowed[:, 0] = True
    extra = torch.randint(0, num_tags, (vocab_size,), generator=g)
    allowed[torch.arange(vocab_size), extra] = True
    allowed[PAD_ID] = True
    return tag_of_word, allowed


class FlightQueries(torch.utils.data.Dataset):
    def __init__(self, n=640, vocab_size=300, max_len=16, seed=0):
        g = torch.Generator().manual_seed(seed + 1)
        self.tag_of_word, self.allowed = make_lexicon(vocab_size, len(TAGS), seed=0)
        lengths = torch.randint(5, max_len + 1, (n,), generator=g)
        self.ids = torch.randint(1, vocab_size, (n, max_len), generator=g)
        pos = torch.arange(max_len).unsqueeze(0)
        self.ids[pos >= lengths.unsqueeze(1)] = PAD_ID
        self.labels = self.tag_of_word[self.ids]
        self.labels[self.ids == PAD_ID] = -100

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        ids = self.ids[i]
        return {"input_ids": ids, "allowed_tags": self.allowed[ids], "labels": self.labels[i]}


def tag_accuracy(eval_pred):
    logits, labels = eval_pred.predictions, eval_pred.label_ids
    pred = logits.argmax(-1)
    keep = labels != -100
    return {"tag_acc": float((pred[keep] == labels[keep]).mean())}


def main():
    torch.manual_seed(0)
    model = SlotTagger(SlotTaggerConfig())
    args = TrainingArguments(
        output_dir="runs/slot_tagger",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=64,
        learning_rate=1e-2,
        max_steps=60,
        logging_steps=10,
        eval_strategy="steps",
        eval_steps=30,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        dataloader_num_workers=0,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=FlightQueries(640, seed=0),
        eval_dataset=FlightQueries(128, seed=7),
        compute_metrics=tag_accuracy,
    )
    trainer.train()
    print(trainer.evaluate())


if __name__ == "__main__":
    main()
