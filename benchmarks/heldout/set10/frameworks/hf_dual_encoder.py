import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

VOCAB = 800
Q_LEN = 12
D_LEN = 32


class QueryPassagePairs(Dataset):
    def __init__(self, n=640, seed=1):
        g = torch.Generator().manual_seed(seed)
        self.q = torch.randint(1, VOCAB, (n, Q_LEN), generator=g)
        self.d = torch.randint(1, VOCAB, (n, D_LEN), generator=g)
        # every passage mentions most of its query terms somewhere
        for i in range(n):
            pos = torch.randperm(D_LEN, generator=g)[: Q_LEN - 2]
            self.d[i, pos] = self.q[i, : Q_LEN - 2]

    def __len__(self):
        return len(self.q)

    def __getitem__(self, i):
        return {"query_ids": self.q[i], "passage_ids": self.d[i]}


class DualEncoder(nn.Module):
    def __init__(self, config, dim=128):
        super().__init__()
        self.config = config
        self.bert = BertModel(config, add_pooling_layer=False)
        self.proj = nn.Linear(config.hidden_size, dim)

    def encode(self, ids):
        h = self.bert(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
        return self.proj(h[:, 0])

    def forward(self, query_ids, passage_ids):
        return self.encode(query_ids), self.encode(passage_ids)


class InBatchNegativesTrainer(Trainer):
    temperature = 0.05

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        q, d = model(**inputs)
        scores = q @ d.t() / self.temperature
        exp_scores = torch.exp(scores)
        p_pos = exp_scores.diagonal() / exp_scores.sum(dim=1)
        loss = -torch.log(p_pos).mean()
        return (loss, {"scores": scores}) if return_outputs else loss


def main():
    set_seed(7)
    config = BertConfig(
        vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=128, max_position_embeddings=64,
    )
    model = DualEncoder(config)
    args = TrainingArguments(
        output_dir="/tmp/hf_dual_encoder",
        per_device_train_batch_size=32,
        learning_rate=1e-3,
        warmup_steps=2,
        max_steps=10,
        logging_steps=2,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=7,
        disable_tqdm=True,
        remove_unused_columns=False,
    )
    trainer = InBatchNegativesTrainer(model=model, args=args, train_dataset=QueryPassagePairs())
    trainer.train()


if __name__ == "__main__":
    main()
