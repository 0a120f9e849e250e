import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

VOCAB = 300
QUERY_LEN = 12
PASSAGE_LEN = 24


class QueryPassagePairs(Dataset):
    def __init__(self, n_pairs, seed=0):
        g = torch.Generator().manual_seed(seed)
        topics = torch.randint(5, VOCAB, (n_pairs, 6), generator=g)
        self.queries = torch.cat([torch.full((n_pairs, 1), 2), topics,
                                  torch.randint(5, VOCAB, (n_pairs, QUERY_LEN - 7), generator=g)], dim=1)
        filler = torch.randint(5, VOCAB, (n_pairs, PASSAGE_LEN - 7), generator=g)
        self.passages = torch.cat([torch.full((n_pairs, 1), 2), topics[:, torch.randperm(6, generator=g)],
                                   filler], dim=1)

    def __len__(self):
        return len(self.queries)

    def __getitem__(self, i):
        return {"query_ids": self.queries[i], "passage_ids": self.passages[i]}


class DualEncoder(nn.Module):
    def __init__(self, temperature=0.05):
        super().__init__()
        cfg = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=64)
        self.encoder = BertModel(cfg, add_pooling_layer=False)
        self.temperature = temperature

    def embed(self, ids):
        return self.encoder(input_ids=ids).last_hidden_state[:, 0]

    def forward(self, query_ids, passage_ids):
        q = self.embed(query_ids)
        p = self.embed(passage_ids)
        sim = q @ p.T / self.temperature
        log_norm = torch.log(torch.exp(sim).sum(dim=1, keepdim=True))
        log_probs = sim - log_norm
        loss = -log_probs.diagonal().mean()
        return {"loss": loss, "scores": sim}


def main():
    set_seed(11)
    train = QueryPassagePairs(1024, seed=11)
    args = TrainingArguments(
        output_dir="/tmp/dual_encoder_run",
        per_device_train_batch_size=32,
        learning_rate=5e-4,
        warmup_steps=5,
        max_steps=30,
        logging_steps=2,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=11,
    )
    trainer = Trainer(model=DualEncoder(), args=args, train_dataset=train)
    trainer.train()


if __name__ == "__main__":
    main()
