import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

VOCAB = 256
QUERY_LEN = 12
PASSAGE_LEN = 32


class QueryPassagePairs(Dataset):
    """Synthetic (query, relevant passage) pairs: each passage contains its query's keywords."""

    def __init__(self, n_pairs, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.queries = torch.randint(5, VOCAB, (n_pairs, QUERY_LEN), generator=g)
        self.passages = torch.randint(5, VOCAB, (n_pairs, PASSAGE_LEN), generator=g)
        pos = torch.randint(1, PASSAGE_LEN - QUERY_LEN, (n_pairs,), generator=g)
        for i in range(n_pairs):
            keep = self.queries[i, : QUERY_LEN // 2]
            self.passages[i, pos[i] : pos[i] + keep.numel()] = keep
        self.queries[:, 0] = 2
        self.passages[:, 0] = 2

    def __len__(self):
        return self.queries.shape[0]

    def __getitem__(self, i):
        return {
            "query_ids": self.queries[i],
            "query_mask": torch.ones(QUERY_LEN, dtype=torch.long),
            "passage_ids": self.passages[i],
            "passage_mask": torch.ones(PASSAGE_LEN, dtype=torch.long),
        }


class DualEncoder(nn.Module):
    def __init__(self, config, temperature=0.05):
        super().__init__()
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.temperature = temperature

    def embed(self, ids, mask):
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        return (hidden * m).sum(1) / m.sum(1)

    def forward(self, query_ids, query_mask, passage_ids, passage_mask):
        q = self.embed(query_ids, query_mask)
        p = self.embed(passage_ids, passage_mask)
        scores = q @ p.T / self.temperature
        exp_scores = torch.exp(scores)
        positive = exp_scores.diagonal()
        loss = -torch.log(positive / exp_scores.sum(dim=1)).mean()
        return {"loss": loss, "scores": scores}


def main():
    set_seed(0)
    config = BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    model = DualEncoder(config)
    train_ds = QueryPassagePairs(512)
    args = TrainingArguments(
        output_dir="/tmp/dual_encoder_run",
        per_device_train_batch_size=32,
        learning_rate=5e-4,
        warmup_steps=2,
        max_steps=8,
        logging_steps=2,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
        remove_unused_columns=False,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds)
    trainer.train()


if __name__ == "__main__":
    main()
